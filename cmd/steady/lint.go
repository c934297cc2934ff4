package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/spf13/cobra"

	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/lint"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

// lintSettings are the lint's thresholds, shared by lint, migrate, status and the worker.
type lintSettings struct {
	warnRows, errorRows int
}

func (s *lintSettings) settings() []setting {
	return []setting{
		{"lint-warn-rows", "STEADY_LINT_WARN_ROWS", "lint: a finding on a table with at least this many estimated rows is a warning (below: info)",
			integer(&s.warnRows, lint.DefaultWarnRows, 1, 1e12)},
		{"lint-error-rows", "STEADY_LINT_ERROR_ROWS", "lint: a finding on a table with at least this many estimated rows is an error",
			integer(&s.errorRows, lint.DefaultErrorRows, 1, 1e12)},
	}
}

func (s *lintSettings) linter() (*lint.Linter, error) {
	l, err := lint.New(lint.Config{WarnRows: int64(s.warnRows), ErrorRows: int64(s.errorRows)})
	if err != nil {
		return nil, usageErr(fmt.Errorf("--lint-warn-rows / --lint-error-rows: %w", err))
	}
	return l, nil
}

func lintCommand(c *cli) *cobra.Command {
	var database, asJSON bool
	var format, dir string
	db, ls := &c.db, &lintSettings{}
	return c.command(&cobra.Command{
		Use:   "lint [FILE|DIR ...] [--database] [--json | --format text|json|github]",
		Short: "check migrations before they run: the lock each statement takes and, with --database, on how big a table",
		Long: `Checks migrations with the PostgreSQL parser: the shipped ones (or --migrations-dir), or the
files and directories named. Each finding has its file, line and column, the rule (named like
squawk's), the lock taken, why it hurts and how to do it safely in steady.

A statement on a table created earlier in the same pending set is no finding: nothing can be
waiting on it. The files of a directory (and the shipped set) are each checked as if the ones
before them were applied; files named together form one pending set, in the order given.

Offline, a finding whose cost follows the table's size is a warning. With --database the
catalog is read once through the POOLER (as the other commands resolve it): each finding on a
table that exists gets its estimated rows, size and how long the lock is held, and its severity
follows the table: info below --lint-warn-rows, warning, error from --lint-error-rows. A table
the catalog does not have is no finding. With --database, the migrations of a directory or the
shipped set that schema_migrations records are skipped: they will not run again.

Suppress a finding with a directive on the lines before the statement, reason required:
  -- steady:allow RULE reason
It is reported as "allowed: reason". require-timeout-settings is not a rule: steady sets
lock_timeout on every migration itself.

--format github prints GitHub Actions annotations (::error file=…,line=…,col=…,title=RULE::…).
Exit 0: no error (warnings and info do not fail); 1: an error; 2: a file that does not parse.`,
	}, append(ls.settings(),
		setting{"migrations-dir", "STEADY_MIGRATIONS_DIR", "without arguments, check this directory instead of the built-in migrations", text(&dir, "")},
		setting{"database", "", "read the catalog (POOLER) for table sizes and size-aware severities", boolean(&database, false)},
		setting{"json", "", "print JSON (--format json)", boolean(&asJSON, false)},
		setting{"format", "", "text, json or github (GitHub Actions annotations)", oneOf(&format, "text", "text", "json", "github")},
	),
		func(ctx context.Context, e *env, args []string) error {
			if asJSON {
				format = "json"
			}
			l, err := ls.linter()
			if err != nil {
				return err
			}
			sets, err := lintSources(args, dir)
			if err != nil {
				return usageErr(err)
			}
			var snap *catalog.Snapshot
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
			}
			rep, parseErrs := runLint(l, sets, snap)
			return writeLint(e.stdout, format, rep, parseErrs)
		})
}

// lintSet is a pending set: files that run one after another.
type lintSet struct {
	files []lintSource
	dir   bool // from a directory or the shipped set: recorded migrations can be skipped
}

type lintSource struct {
	name string // as reported
	base string // the file name, NNNN_name.sql for a migration
	sql  string
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
		named.files = append(named.files, lintSource{name: a, base: filepath.Base(a), sql: upSection(filepath.Base(a), body)})
	}
	if len(named.files) > 0 {
		sets = append(sets, named)
	}
	return sets, nil
}

// dirSets reads a directory as migrate does (any supported format, in version order, only
// what runs: a goose or dbmate Down section, a .down.sql file are never linted).
func dirSets(fsys fs.FS, dir string) ([]lintSet, error) {
	ms, err := migrate.Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("lint %s: %w", dir, err)
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("lint %s: no migration files", dir)
	}
	var sets []lintSet
	for _, m := range ms {
		sets = append(sets, lintSet{dir: true, files: []lintSource{{name: path.Join(dir, m.File), base: m.File, sql: m.SQL}}})
	}
	return sets, nil
}

// upSection is what of a named file runs: its up section when it is a goose or dbmate file, the
// whole file otherwise (also when its name is not a migration's).
func upSection(base string, body []byte) string {
	ms, err := migrate.Load(fstest.MapFS{base: &fstest.MapFile{Data: body}})
	if err != nil || len(ms) != 1 {
		return string(body)
	}
	return ms[0].SQL
}

// skipRecorded drops the migrations of directories that schema_migrations records: they will
// not run again, so how they would lock today's tables does not matter.
func skipRecorded(ctx context.Context, pools *dbconn.Pools, snap *catalog.Snapshot, sets []lintSet) ([]lintSet, error) {
	if _, ok := snap.Table(pools.Schema.Name(), "schema_migrations"); !ok {
		return sets, nil
	}
	rows, err := pools.Pooler.Pool.Query(ctx, pools.Schema.SQL("SELECT version::text FROM schema_migrations"))
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	recorded := map[migrate.Version]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		if pv, err := migrate.ParseVersion(v); err == nil {
			recorded[pv] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return slices.DeleteFunc(sets, func(s lintSet) bool {
		v, ok := migrate.VersionOf(s.files[0].base)
		return s.dir && ok && recorded[v]
	}), nil
}

// parseError is a file that does not parse.
type parseError struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// runLint parses and lints each set. A set with a file that does not parse is not linted.
func runLint(l *lint.Linter, sets []lintSet, snap *catalog.Snapshot) (*lint.Report, []parseError) {
	rep := &lint.Report{Catalog: snap != nil, Findings: []lint.Finding{}}
	var parseErrs []parseError
	for _, s := range sets {
		var files []lint.File
		for _, src := range s.files {
			m, err := fingerprint.Parse(src.name, src.sql)
			var pe *fingerprint.ParseError
			if errors.As(err, &pe) {
				parseErrs = append(parseErrs, parseError{File: src.name, Line: pe.Line, Message: pe.Message})
				continue
			}
			files = append(files, lint.File{Name: src.name, SQL: src.sql, Migration: m})
		}
		r := l.Lint(files, snap)
		rep.Files += r.Files
		rep.Findings = append(rep.Findings, r.Findings...)
	}
	return rep, parseErrs
}

// lintJSON is what steady lint --json prints: the report and its counts.
type lintJSON struct {
	*lint.Report
	Errors      int          `json:"errors"`
	Warnings    int          `json:"warnings"`
	Info        int          `json:"info"`
	Allowed     int          `json:"allowed"`
	ParseErrors []parseError `json:"parse_errors"`
}

func writeLint(w io.Writer, format string, rep *lint.Report, parseErrs []parseError) error {
	var err error
	switch format {
	case "json":
		err = writeJSON(w, lintJSON{Report: rep, Errors: rep.Count(lint.Error), Warnings: rep.Count(lint.Warning),
			Info: rep.Count(lint.Info), Allowed: rep.Allowed(), ParseErrors: append([]parseError{}, parseErrs...)})
	case "github":
		var b strings.Builder
		for _, p := range parseErrs {
			data := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
			prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
			fmt.Fprintf(&b, "::error file=%s,line=%d,title=syntax-error::%s\n", prop.Replace(p.File), p.Line, data.Replace(p.Message))
		}
		if _, err = io.WriteString(w, b.String()); err == nil {
			err = rep.WriteGitHub(w)
		}
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
	case rep.Count(lint.Error) > 0:
		return withCode(exitFailure)
	}
	return nil
}
