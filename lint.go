package steady

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/lint"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/internal/sqlfile"
	"github.com/steadydb/steady/migrations"
)

// LintReport is the lint's findings: each with its file, line, rule, lock and the safe way.
// WriteText, WriteJSON, WriteGitHub and WriteSARIF print it as steady lint does.
type LintReport = lint.Report

// LintFinding is one finding of the lint.
type LintFinding = lint.Finding

// LintSeverity is a finding's severity: info, warning or error.
type LintSeverity = lint.Severity

// LintSyntaxError is a file that cannot be linted or used: SQL that does not parse, a backfill
// or index file that fails its checks. It makes the lint exit 2.
type LintSyntaxError = lint.SyntaxError

// LintConfig is the lint's thresholds and its configuration file (.steady-lint.toml).
type LintConfig struct {
	// WarnRows and ErrorRows: a finding on a table with at least this many estimated rows is a
	// warning, an error. 0: the configuration file's, else 100 000 and 1 000 000.
	WarnRows, ErrorRows int64
	// ConfigFile is the configuration file (rule levels, thresholds, fail_on); "": the
	// .steady-lint.toml of the current directory when there is one.
	ConfigFile string
}

// linter reads the configuration file and makes the linter. own: the files are steady's
// shipped migrations, whose advice may cite steady's own files.
func (c LintConfig) linter(own bool) (*lint.Linter, lint.FileConfig, error) {
	file := c.ConfigFile
	if file == "" {
		if _, err := os.Stat(lint.DefaultConfigFile); err == nil {
			file = lint.DefaultConfigFile
		}
	}
	var fc lint.FileConfig
	if file != "" {
		var err error
		if fc, err = lint.ReadConfigFile(file); err != nil {
			return nil, fc, input(err)
		}
	}
	cfg := lint.Config{WarnRows: cmp.Or(c.WarnRows, fc.WarnRows), ErrorRows: cmp.Or(c.ErrorRows, fc.ErrorRows), Levels: fc.Rules, OwnMigrations: own}
	l, err := lint.New(cfg)
	if err != nil {
		return nil, fc, input(fmt.Errorf("--lint-warn-rows / --lint-error-rows / %s: %w", cmp.Or(file, "thresholds"), err))
	}
	return l, fc, nil
}

// LintOptions says what to lint.
type LintOptions struct {
	// Config's catalogs are linted (BackfillsDir, IndexesDir, or the built-in ones) when Files
	// is empty or they are set; its connection is used with Database.
	Config
	Lint LintConfig
	// Files are files and directories of migrations, in any format steady reads, judged as if
	// applied in order; a file whose header names a backfill (-- backfill: or -- key:) is
	// checked as a backfill file. None: the migrations (MigrationsDir, or the built-in ones) and
	// the catalogs.
	Files         []string
	MigrationsDir string
	// Database reads the catalog through the POOLER: each finding gets its table's size and a
	// severity that follows it; recorded migrations of a directory are skipped.
	Database bool
	// FailOn is the lowest severity that fails (ExitCode 1): error, warning or info; "": the
	// configuration file's fail_on, else error.
	FailOn string
}

// LintResult is what Lint found.
type LintResult struct {
	Report *LintReport
	// ParseErrors are the migrations that do not parse, each at its line.
	ParseErrors []LintSyntaxError
	// FileErrors are the backfill and index files that cannot be used: they do not parse, or
	// fail their checks (an UPDATE without the key range, an index on a table no migration
	// makes), each at its line.
	FileErrors []LintSyntaxError
	FailOn     LintSeverity
}

// ExitCode is steady lint's: 2 when a file does not parse or cannot be used, 1 for a finding
// at or above FailOn, 0 otherwise.
func (r *LintResult) ExitCode() int {
	switch {
	case len(r.ParseErrors) > 0 || len(r.FileErrors) > 0:
		return ExitUsage
	case r.Report.Fails(r.FailOn):
		return ExitFailure
	}
	return ExitOK
}

// Lint checks migrations before they run (the lock each statement takes and, with Database, on
// how big a table), and backfill and index files: parsed, the batch's key range, and every
// table and column they name made by the migrations. An unreadable input or a bad setting is
// an *InputError; files that do not parse or cannot be used are in the result.
func Lint(ctx context.Context, opts LintOptions) (*LintResult, error) {
	own := len(opts.Files) == 0 && opts.MigrationsDir == ""
	l, fc, err := opts.Lint.linter(own)
	if err != nil {
		return nil, err
	}
	failOn, err := lint.ParseFailOn(cmp.Or(opts.FailOn, fc.FailOn, "error"))
	if err != nil {
		return nil, input(fmt.Errorf("--fail-on: %w", err))
	}
	sets, backfillFiles, err := lintSources(opts.Files, opts.MigrationsDir)
	if err != nil {
		return nil, input(err)
	}
	var snap *catalog.Snapshot
	var lopts lint.LintOpts
	if opts.Database {
		if err := opts.check(); err != nil {
			return nil, err
		}
		pools, err := dbconn.Open(ctx, opts.db(), dbconn.OpenOpts{})
		if err != nil {
			return nil, err
		}
		defer pools.Close()
		if snap, err = catalog.Read(ctx, pools.Pooler.Pool); err != nil {
			return nil, err
		}
		if sets, err = skipRecorded(ctx, pools, snap, sets); err != nil {
			return nil, err
		}
		lopts.Probe = lint.PoolProbe{Pool: pools.Pooler.Pool}
	}
	rep, parseErrs := runLint(ctx, l, sets, snap, lopts)
	return &LintResult{Report: rep, ParseErrors: parseErrs, FileErrors: lintCatalogs(opts, backfillFiles), FailOn: failOn}, nil
}

// lintCatalogs checks the catalogs (when no files are named, or their directories are set) and
// the named backfill files, against the tables the migrations make.
func lintCatalogs(opts LintOptions, named []string) []LintSyntaxError {
	var errs []error
	cats := &catalogfiles.Catalogs{}
	src := catalogfiles.Sources{BackfillsDir: opts.BackfillsDir, IndexesDir: opts.IndexesDir, Backfills: opts.Backfills, Indexes: opts.Indexes}
	if len(opts.Files) == 0 || opts.BackfillsDir != "" || opts.IndexesDir != "" || opts.Backfills != nil || opts.Indexes != nil {
		c, err := catalogfiles.Load(src)
		cats = c.Own(src, opts.MigrationsDir == "") // what could be read is checked too
		errs = append(errs, err)
	}
	for _, f := range named {
		src, err := os.ReadFile(f)
		if err == nil {
			var b backfills.Backfill
			if b, err = backfills.ParseFile(f, src); err == nil {
				cats.Backfills = append(cats.Backfills, b)
			}
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(cats.Backfills) == 0 && cats.Indexes == nil {
		return fileErrors(errs)
	}
	// The tables the migrations make: the directory's or the built-in ones. A migration that
	// does not parse is reported by the lint of the migrations; its effects are left out.
	var mfs fs.FS = migrations.FS
	if opts.MigrationsDir != "" {
		mfs = os.DirFS(opts.MigrationsDir)
	}
	if ms, err := migfiles.Load(mfs); err == nil {
		var parsed []migfiles.Migration
		for _, m := range ms {
			if p, err := fingerprint.Parse(m.File, m.SQL); err == nil {
				m.Parsed = p
				parsed = append(parsed, m)
			}
		}
		errs = append(errs, catalogfiles.Check(cats, catalogfiles.SchemaOf(parsed, "")))
	}
	return fileErrors(errs)
}

func fileErrors(errs []error) []LintSyntaxError {
	var out []LintSyntaxError
	for _, fe := range catalogfiles.Errors(errors.Join(errs...)) {
		out = append(out, LintSyntaxError{File: fe.File, Line: fe.Line, Message: fe.Message})
	}
	return out
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

// lintSources reads what to lint: each migration of a directory alone, the files named
// together, and apart the named files that are backfills.
func lintSources(args []string, dir string) ([]lintSet, []string, error) {
	if len(args) == 0 {
		if dir == "" {
			sets, err := dirSets(migrations.FS, "migrations")
			return sets, nil, err
		}
		args = []string{dir}
	}
	var sets []lintSet
	var backfillFiles []string
	named := lintSet{}
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, nil, fmt.Errorf("lint %s: %w", a, errors.Unwrap(err))
		}
		if st.IsDir() {
			ds, err := dirSets(os.DirFS(a), a)
			if err != nil {
				return nil, nil, err
			}
			sets = append(sets, ds...)
			continue
		}
		body, err := os.ReadFile(a)
		if err != nil {
			return nil, nil, fmt.Errorf("lint %s: %w", a, errors.Unwrap(err))
		}
		if isBackfillFile(body) {
			backfillFiles = append(backfillFiles, a)
			continue
		}
		named.files = append(named.files, namedSource(a, body))
	}
	if len(named.files) > 0 {
		sets = append(sets, named)
	}
	return sets, backfillFiles, nil
}

// isBackfillFile reports a file whose header names a backfill or its key.
func isBackfillFile(body []byte) bool {
	f, err := sqlfile.Parse("", string(body), map[string]int{"from": 1, "to": 2}, []string{
		backfills.FieldName, backfills.FieldDescription, backfills.FieldTable, backfills.FieldKey,
		backfills.FieldKeyTable, backfills.FieldSchedule, backfills.FieldSlices})
	if err != nil {
		// A header with a backfill's fields that fails later is still a backfill's.
		s := string(body)
		return strings.HasPrefix(s, "-- backfill:") || strings.HasPrefix(s, "-- key:")
	}
	name, _ := f.Get(backfills.FieldName)
	key, _ := f.Get(backfills.FieldKey)
	return name != "" || key != ""
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
	ms, err := migfiles.LoadFile(base, body)
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
