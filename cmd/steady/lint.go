package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"testing/fstest"

	"github.com/spf13/cobra"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/lint"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

// lintSettings are the lint's thresholds and its configuration file, shared by lint, migrate,
// status and the worker.
type lintSettings struct {
	warnRows, errorRows int
	config              string
	// file is the configuration file read by linter (zero when there is none).
	file lint.FileConfig
}

func (s *lintSettings) settings() []setting {
	return []setting{
		{"lint-warn-rows", "STEADY_LINT_WARN_ROWS", "lint: a finding on a table with at least this many estimated rows is a warning (below: info)",
			integer(&s.warnRows, lint.DefaultWarnRows, 1, 1e12)},
		{"lint-error-rows", "STEADY_LINT_ERROR_ROWS", "lint: a finding on a table with at least this many estimated rows is an error",
			integer(&s.errorRows, lint.DefaultErrorRows, 1, 1e12)},
		{"lint-config", "STEADY_LINT_CONFIG", "lint: configuration file (rule levels, thresholds, fail_on); default " + lint.DefaultConfigFile + " in the current directory when it exists",
			text(&s.config, "")},
	}
}

// linter reads the configuration file and makes the linter. own: the files are steady's
// shipped migrations, whose advice may cite steady's own files. The file's thresholds apply
// where no flag or variable set one.
func (s *lintSettings) linter(own bool) (*lint.Linter, error) {
	path := s.config
	if path == "" {
		if _, err := os.Stat(lint.DefaultConfigFile); err == nil {
			path = lint.DefaultConfigFile
		}
	}
	if path != "" {
		fc, err := lint.ReadConfigFile(path)
		if err != nil {
			return nil, usageErr(err)
		}
		s.file = fc
	}
	cfg := lint.Config{WarnRows: int64(s.warnRows), ErrorRows: int64(s.errorRows), Levels: s.file.Rules, OwnMigrations: own}
	if s.file.WarnRows > 0 && s.warnRows == lint.DefaultWarnRows {
		cfg.WarnRows = s.file.WarnRows
	}
	if s.file.ErrorRows > 0 && s.errorRows == lint.DefaultErrorRows {
		cfg.ErrorRows = s.file.ErrorRows
	}
	l, err := lint.New(cfg)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--lint-warn-rows / --lint-error-rows / %s: %w", cmp.Or(path, "thresholds"), err))
	}
	return l, nil
}

func lintCommand(c *cli) *cobra.Command {
	var database, asJSON bool
	var format, dir, failOn string
	db, ls := &c.db, &lintSettings{}
	return c.command(&cobra.Command{
		Use:   "lint [FILE|DIR ...] [--database] [--fail-on error|warning|info] [--format text|json|github|sarif]",
		Short: "check migrations before they run: the lock each statement takes and, with --database, on how big a table",
		Long: `Checks migrations with the PostgreSQL parser: the shipped ones (or --migrations-dir), or the
files and directories named, in any format steady reads (steady, goose, golang-migrate, Flyway,
dbmate), each judged as its tool runs it (goose and dbmate wrap a file in a transaction unless
it says not to). Each finding has its file, line and column, the rule (named like squawk's where
squawk has one), the lock taken, why it hurts and how to do it safely.

A statement on a table created earlier in the same pending set is no finding: nothing can be
waiting on it. The files of a directory (and the shipped set) are each checked as if the ones
before them were applied, keeping what they tell of the schema (a validated CHECK (col IS NOT
NULL), a column's type); files named together form one pending set, in the order given. The
statements of a DO block are checked too; one built at run time is reported as not analysed.

Offline, a finding whose cost follows the table's size is a warning. With --database the
catalog is read once through the POOLER (as the other commands resolve it): each finding on a
table that exists gets its estimated rows, size and how long the lock is held, and its severity
follows the table: info below --lint-warn-rows, warning, error from --lint-error-rows. A table
never analysed (size unknown) is looked into with one bounded SELECT … LIMIT 1: an empty one is
info. A table the catalog does not have is no finding. With --database, the migrations of a
directory or the shipped set that schema_migrations records are skipped.

Suppress a finding with a directive on the lines before the statement, reason required:
  -- steady:allow RULE reason
It is reported as "allowed: reason". require-timeout-settings is not a rule: steady sets
lock_timeout on every migration itself.

Configuration: .steady-lint.toml in the current directory (or --lint-config):
  fail_on = "warning"            # error (default), warning or info
  warn_rows = 100000             # thresholds, unless a flag or variable sets them
  error_rows = 1000000
  [rules]
  ban-drop-column = "error"      # error, warning, info or off: the rule's severity, whatever the table
  prefer-bigint-over-int = "off"

--format github prints GitHub Actions annotations; --format sarif prints SARIF 2.1.0 for code
scanning. Exit 0: no finding at or above --fail-on (default error; allowed findings never
count); 1: one; 2: a file that does not parse, a bad configuration file or a bad flag.`,
	}, append(ls.settings(),
		setting{"migrations-dir", "STEADY_MIGRATIONS_DIR", "without arguments, check this directory instead of the built-in migrations", text(&dir, "")},
		setting{"database", "", "read the catalog (POOLER) for table sizes and size-aware severities", boolean(&database, false)},
		setting{"json", "", "print JSON (--format json)", boolean(&asJSON, false)},
		setting{"format", "", "text, json, github (GitHub Actions annotations) or sarif (SARIF 2.1.0)", oneOf(&format, "text", "text", "json", "github", "sarif")},
		setting{"fail-on", "STEADY_LINT_FAIL_ON", "exit 1 on a finding of this severity or above: error, warning or info (default: the config file's fail_on, else error)", oneOf(&failOn, "", "", "error", "warning", "info")},
	),
		func(ctx context.Context, e *env, args []string) error {
			if asJSON {
				format = "json"
			}
			l, err := ls.linter(len(args) == 0 && dir == "")
			if err != nil {
				return err
			}
			threshold, err := lint.ParseFailOn(cmp.Or(failOn, ls.file.FailOn, "error"))
			if err != nil {
				return usageErr(fmt.Errorf("--fail-on: %w", err))
			}
			sets, err := lintSources(args, dir)
			if err != nil {
				return usageErr(err)
			}
			var snap *catalog.Snapshot
			var opts lint.LintOpts
			if database {
				db.Logger = e.log.logger
				pools, err := dbconn.Open(ctx, *db, dbconn.OpenOpts{})
				if err != nil {
					return err
				}
				defer pools.Close()
				if snap, err = catalog.Read(ctx, pools.Pooler.Pool); err != nil {
					return err
				}
				if sets, err = skipRecorded(ctx, pools, snap, sets); err != nil {
					return err
				}
				opts.Probe = lint.PoolProbe{Pool: pools.Pooler.Pool}
			}
			rep, parseErrs := runLint(ctx, l, sets, snap, opts)
			return writeLint(e.stdout, format, rep, parseErrs, threshold)
		})
}

// lintSet is a pending set: files that run one after another.
type lintSet struct {
	files []lintSource
	dir   bool // from a directory or the shipped set: recorded migrations can be skipped
}

type lintSource struct {
	name   string // as reported
	base   string // the file name, NNNN_name.sql for a migration
	sql    string
	format migfiles.Format
	noTx   bool // the format's own marker (goose NO TRANSACTION, dbmate transaction:false)
}

// lintSources reads what to lint: each migration of a directory alone, the files named together.
func lintSources(args []string, dir string) ([]lintSet, error) {
	if len(args) == 0 {
		if dir != "" {
			args = []string{dir}
		} else {
			return dirSets(migrations.FS, "migrations")
		}
	}
	var sets []lintSet
	named := lintSet{}
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("lint %s: %w", a, errors.Unwrap(err))
		}
		if st.IsDir() {
			ds, err := dirSets(os.DirFS(a), a)
			if err != nil {
				return nil, err
			}
			sets = append(sets, ds...)
			continue
		}
		body, err := os.ReadFile(a)
		if err != nil {
			return nil, fmt.Errorf("lint %s: %w", a, errors.Unwrap(err))
		}
		named.files = append(named.files, namedSource(a, body))
	}
	if len(named.files) > 0 {
		sets = append(sets, named)
	}
	return sets, nil
}

// dirSets reads a directory as migrate does (any supported format, in version order, only
// what runs: a goose or dbmate Down section, a .down.sql file are never linted). The directory
// is one set whose files are each judged as if the earlier ones were applied.
func dirSets(fsys fs.FS, dir string) ([]lintSet, error) {
	ms, err := migfiles.Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("lint %s: %w", dir, err)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("lint %s: no migration files", dir)
	}
	set := lintSet{dir: true}
	for _, m := range ms {
		set.files = append(set.files, lintSource{name: path.Join(dir, m.File), base: m.File, sql: m.SQL, format: m.Format, noTx: m.FormatNoTransaction})
	}
	return []lintSet{set}, nil
}

// namedSource is what of a named file runs, read as migrate reads its format: the up section of
// a goose or dbmate file with its marker, the whole file otherwise (also when its name is not a
// migration's).
func namedSource(name string, body []byte) lintSource {
	base := filepath.Base(name)
	src := lintSource{name: name, base: base, sql: string(body)}
	ms, err := migfiles.Load(fstest.MapFS{base: &fstest.MapFile{Data: body}})
	if err != nil || len(ms) != 1 {
		return src
	}
	src.sql, src.format, src.noTx = ms[0].SQL, ms[0].Format, ms[0].FormatNoTransaction
	return src
}

// skipRecorded drops the migrations of directories that steady's history records: they will
// not run again, so how they would lock today's tables does not matter.
func skipRecorded(ctx context.Context, pools *dbconn.Pools, snap *catalog.Snapshot, sets []lintSet) ([]lintSet, error) {
	recorded, err := migrate.Recorded(ctx, pools.Pooler.Pool, pools.Schema, snap)
	if err != nil {
		return nil, err
	}
	for i, s := range sets {
		if s.dir {
			sets[i].files = slices.DeleteFunc(s.files, func(f lintSource) bool {
				v, ok := migfiles.VersionOf(f.base)
				return ok && recorded[v]
			})
		}
	}
	return sets, nil
}

// runLint parses and lints each set. A file that does not parse is left out of its set.
func runLint(ctx context.Context, l *lint.Linter, sets []lintSet, snap *catalog.Snapshot, opts lint.LintOpts) (*lint.Report, []lint.SyntaxError) {
	rep := &lint.Report{Catalog: snap != nil, Findings: []lint.Finding{}}
	var parseErrs []lint.SyntaxError
	for _, s := range sets {
		var files []lint.File
		for _, src := range s.files {
			m, err := fingerprint.Parse(src.name, src.sql)
			var pe *fingerprint.ParseError
			if errors.As(err, &pe) {
				parseErrs = append(parseErrs, lint.SyntaxError{File: src.name, Line: pe.Line, Message: pe.Message})
				continue
			}
			files = append(files, lint.File{Name: src.name, SQL: src.sql, Migration: m, Format: src.format, NoTransaction: src.noTx})
		}
		var r *lint.Report
		if s.dir {
			r = l.LintDir(ctx, files, snap, opts)
		} else {
			r = l.LintContext(ctx, files, snap, opts)
		}
		rep.Files += r.Files
		rep.Findings = append(rep.Findings, r.Findings...)
	}
	return rep, parseErrs
}

// lintJSON is what steady lint --json prints: the report and its counts.
type lintJSON struct {
	*lint.Report
	Errors      int                `json:"errors"`
	Warnings    int                `json:"warnings"`
	Info        int                `json:"info"`
	Allowed     int                `json:"allowed"`
	ParseErrors []lint.SyntaxError `json:"parse_errors"`
}

func writeLint(w io.Writer, format string, rep *lint.Report, parseErrs []lint.SyntaxError, failOn lint.Severity) error {
	var err error
	switch format {
	case "json":
		err = writeJSON(w, lintJSON{Report: rep, Errors: rep.Count(lint.Error), Warnings: rep.Count(lint.Warning),
			Info: rep.Count(lint.Info), Allowed: rep.Allowed(), ParseErrors: append([]lint.SyntaxError{}, parseErrs...)})
	case "sarif":
		err = rep.WriteSARIF(w, buildVersion(), parseErrs)
	case "github":
		err = rep.WriteGitHub(w, parseErrs)
	default:
		for _, p := range parseErrs {
			fmt.Fprintf(w, "%s:%d: does not parse: %s\n", p.File, p.Line, p.Message)
		}
		err = rep.WriteText(w)
	}
	switch {
	case err != nil:
		return err
	case len(parseErrs) > 0:
		return &exitError{code: exitUsage, silent: true}
	case rep.Fails(failOn):
		return withCode(exitFailure)
	}
	return nil
}

// buildVersion is the module version the binary was built from, "" for a development build.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}
