package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	api "github.com/steadydb/steady"
	"github.com/steadydb/steady/internal/lint"
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

// apiConfig is the Go API's lint configuration of these settings: a threshold left at its
// default gives way to the configuration file's.
func (s *lintSettings) apiConfig() api.LintConfig {
	c := api.LintConfig{ConfigFile: s.config}
	if s.warnRows != lint.DefaultWarnRows {
		c.WarnRows = int64(s.warnRows)
	}
	if s.errorRows != lint.DefaultErrorRows {
		c.ErrorRows = int64(s.errorRows)
	}
	return c
}

func lintCommand(c *cli) *cobra.Command {
	var database, asJSON bool
	var format, dir, failOn string
	db, ls, cat := &c.db, &lintSettings{}, &catalogSettings{}
	return c.command(&cobra.Command{
		Use:   "lint [FILE|DIR ...] [--database] [--fail-on error|warning|info] [--format text|json|github|sarif]",
		Short: "check migrations before they run (the lock each statement takes and, with --database, on how big a table), and backfill and index files",
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

Backfill and index files are checked too: the built-in catalogs (or --backfills-dir,
--indexes-dir) when no file is named or a directory is set, and each named file whose header
names a backfill (-- backfill: or -- key:). Each must parse, a batch must hold its key range
(key > :from AND key <= :to in its WHERE), and every table and column it names must be made by
the migrations (--migrations-dir, or the built-in ones). A file that fails is reported like one
that does not parse: file, line, why; exit 2.

--format github prints GitHub Actions annotations; --format sarif prints SARIF 2.1.0 for code
scanning. Exit 0: no finding at or above --fail-on (default error; allowed findings never
count); 1: one; 2: a file that does not parse (or a backfill or index file that fails its
checks), a bad configuration file or a bad flag.`,
	}, append(ls.settings(),
		setting{"migrations-dir", "STEADY_MIGRATIONS_DIR", "without arguments, check this directory instead of the built-in migrations", text(&dir, "")},
		setting{"database", "", "read the catalog (POOLER) for table sizes and size-aware severities", boolean(&database, false)},
		setting{"json", "", "print JSON (--format json)", boolean(&asJSON, false)},
		setting{"format", "", "text, json, github (GitHub Actions annotations) or sarif (SARIF 2.1.0)", oneOf(&format, "text", "text", "json", "github", "sarif")},
		setting{"fail-on", "STEADY_LINT_FAIL_ON", "exit 1 on a finding of this severity or above: error, warning or info (default: the config file's fail_on, else error)", oneOf(&failOn, "", "", "error", "warning", "info")},
		cat.backfills(), cat.indexes(),
	),
		func(ctx context.Context, e *env, args []string) error {
			if asJSON {
				format = "json"
			}
			res, err := api.Lint(ctx, api.LintOptions{Config: apiConfig(e, db, cat, 0), Lint: ls.apiConfig(),
				Files: args, MigrationsDir: dir, Database: database, FailOn: failOn})
			if err != nil {
				return err
			}
			return writeLint(e.stdout, format, res)
		})
}

// lintJSON is what steady lint --json prints: the report and its counts.
type lintJSON struct {
	*lint.Report
	Errors      int                `json:"errors"`
	Warnings    int                `json:"warnings"`
	Info        int                `json:"info"`
	Allowed     int                `json:"allowed"`
	ParseErrors []lint.SyntaxError `json:"parse_errors"`
	// FileErrors: backfill and index files that cannot be used.
	FileErrors []lint.SyntaxError `json:"file_errors"`
}

func writeLint(w io.Writer, format string, res *api.LintResult) error {
	rep, parseErrs, fileErrs := res.Report, res.ParseErrors, res.FileErrors
	var err error
	switch format {
	case "json":
		err = writeJSON(w, lintJSON{Report: rep, Errors: rep.Count(lint.Error), Warnings: rep.Count(lint.Warning),
			Info: rep.Count(lint.Info), Allowed: rep.Allowed(), ParseErrors: append([]lint.SyntaxError{}, parseErrs...),
			FileErrors: append([]lint.SyntaxError{}, fileErrs...)})
	case "sarif":
		err = rep.WriteSARIF(w, buildVersion(), append(slices.Clone(parseErrs), fileErrs...))
	case "github":
		var b strings.Builder
		data := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
		prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
		for _, p := range fileErrs {
			fmt.Fprintf(&b, "::error file=%s,line=%d,title=unusable-file::%s\n", prop.Replace(p.File), p.Line, data.Replace(p.Message))
		}
		if _, err = io.WriteString(w, b.String()); err == nil {
			err = rep.WriteGitHub(w, parseErrs)
		}
	default:
		for _, p := range parseErrs {
			fmt.Fprintf(w, "%s:%d: does not parse: %s\n", p.File, p.Line, p.Message)
		}
		for _, p := range fileErrs {
			fmt.Fprintf(w, "%s:%d: %s\n", p.File, p.Line, p.Message)
		}
		err = rep.WriteText(w)
	}
	switch code := res.ExitCode(); {
	case err != nil:
		return err
	case code == exitUsage:
		return &exitError{code: exitUsage, silent: true}
	case code != exitOK:
		return withCode(code)
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
