package steady

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/lint"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/internal/shadow"
	"github.com/steadydb/steady/migrations"
)

// MigrateConfig configures Migrate and Status, as steady migrate's settings do.
type MigrateConfig struct {
	Config
	// Migrations are read from MigrationsDir, else Migrations, else the built-in ones.
	MigrationsDir string
	Migrations    fs.FS
	// MigrationsFormat is the tool whose files they are: "" or auto detects it; steady, goose,
	// golang-migrate, flyway, dbmate, prisma, supabase, sqlx, diesel. A directory named
	// supabase/migrations is the Supabase CLI's.
	MigrationsFormat string
	// Shadow is where a database's point in its history must be inferred: auto (default,
	// replay the history on ShadowURL, else on a database created and dropped through the
	// migration role) or off (decide from the SQL text alone). ShadowSetup is a SQL file
	// applied to the shadow before the first migration (schemas, roles, extensions).
	Shadow, ShadowURL, ShadowSetup string
	LockTimeout                    time.Duration // lock_timeout of each DDL transaction; default 2s
	LeaseTTL                       time.Duration // how long a killed runner blocks the next; default 30s
	// Strict makes a failure exit 1 and drift exit 4 (ExitCode), and refuses a migration with a
	// lint error. Without it a failure is recorded and reported, and the exit is 0.
	Strict bool
	Lint   LintConfig
}

func (c MigrateConfig) source() (fs.FS, bool, error) {
	switch {
	case c.MigrationsDir != "":
		if st, err := os.Stat(c.MigrationsDir); err != nil || !st.IsDir() {
			return nil, false, input(fmt.Errorf("--migrations-dir / STEADY_MIGRATIONS_DIR=%q: not a directory", c.MigrationsDir))
		}
		return os.DirFS(c.MigrationsDir), false, nil
	case c.Migrations != nil:
		return c.Migrations, false, nil
	}
	return migrations.FS, true, nil
}

// format is MigrationsFormat, with the Supabase CLI's directory recognised by its path: its
// files are named as steady's are.
func (c MigrateConfig) format() (migfiles.Format, error) {
	f, err := migfiles.ParseFormat(c.MigrationsFormat)
	if err != nil {
		return "", input(fmt.Errorf("--migrations-format / STEADY_MIGRATIONS_FORMAT: %w", err))
	}
	if f == "" && c.MigrationsDir != "" {
		if abs, err := filepath.Abs(c.MigrationsDir); err == nil && strings.HasSuffix(filepath.ToSlash(abs), "supabase/migrations") {
			f = migfiles.FormatSupabase
		}
	}
	return f, nil
}

// shadow reads the shadow's settings; a setup file that cannot be read is bad input.
func (c MigrateConfig) shadow() (shadow.Settings, error) {
	switch c.Shadow {
	case "", "auto", "off":
	default:
		return shadow.Settings{}, input(fmt.Errorf("--shadow / STEADY_SHADOW=%q: want auto or off", c.Shadow))
	}
	out := shadow.Settings{Off: c.Shadow == "off", URL: c.ShadowURL, SetupFile: c.ShadowSetup}
	if c.ShadowSetup != "" {
		b, err := os.ReadFile(c.ShadowSetup)
		if err != nil {
			return out, input(fmt.Errorf("--shadow-setup / STEADY_SHADOW_SETUP: %w", err))
		}
		out.Setup = string(b)
	}
	return out, nil
}

// Migrator migrates one database: its connections resolved once (DIRECT probed once, POOLER
// otherwise, the choice locked), its migrations listed.
type Migrator struct {
	cfg    MigrateConfig
	pools  *dbconn.Pools
	m      *migrate.Migrator
	linter *lint.Linter
}

// OpenMigrator checks the settings and lists the migrations, then resolves the connections.
// Bad input (a setting, a directory, file names no format accepts) is an *InputError and
// nothing connects.
func OpenMigrator(ctx context.Context, cfg MigrateConfig) (*Migrator, error) {
	src, own, err := cfg.source()
	if err != nil {
		return nil, err
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	format, err := cfg.format()
	if err != nil {
		return nil, err
	}
	// Names and order now, before connecting; the files are read during the first round trip
	// and parsed when a plan needs them (then a file that does not parse is an *InputError).
	if _, err := migfiles.ListFormat(src, format); err != nil {
		return nil, input(err)
	}
	linter, _, err := cfg.Lint.linter(own)
	if err != nil {
		return nil, err
	}
	sh, err := cfg.shadow()
	if err != nil {
		return nil, err
	}
	log := cfg.logger()
	// Through the POOLER alone, what it reaches is read in the migrator's first round trip.
	pools, err := dbconn.Open(ctx, cfg.db(), dbconn.OpenOpts{Migrate: true, DeferIdentity: true})
	if errors.As(err, new(*dbconn.RefusedError)) {
		return nil, input(err) // the URLs reach the wrong places: bad input even where failures exit 0
	}
	if err != nil {
		return nil, err
	}
	tables, err := bookkeeping.New(bookkeeping.Config{Pool: pools.Migration.Pool, Schema: pools.Schema.Name(), LeaseTTL: cfg.LeaseTTL, Logger: log})
	if err != nil {
		pools.Close()
		return nil, err
	}
	m, err := migrate.New(migrate.Config{
		Pool: pools.Migration.Pool, TransactionPooled: pools.Migration.Pooled(), Tables: tables, Preflight: pools.Preflight(),
		Migrations: src, Format: format, Logger: log, LockTimeout: cfg.LockTimeout, LeaseTTL: cfg.LeaseTTL,
		Gate:   lint.NewGate(linter, cfg.Strict, log).WithProbe(lint.PoolProbe{Pool: pools.Pooler.Pool}).Check,
		Shadow: migrate.ShadowConfig{Open: sh.Opener(pools, log), Setup: sh.Setup, SetupFile: sh.SetupFile},
	})
	if err != nil {
		pools.Close()
		if migrate.IsBadInput(err) {
			err = input(err)
		}
		return nil, err
	}
	return &Migrator{cfg: cfg, pools: pools, m: m, linter: linter}, nil
}

// Close closes the connections.
func (m *Migrator) Close() { m.pools.Close() }

// MigrateOpts are the options of one run.
type MigrateOpts struct {
	DryRun bool // plan, lint what would run, and change nothing
}

// Migration is one migration as a run or status decided it, with the evidence it was decided
// on: steady status's and steady migrate --json's entries.
type Migration struct {
	Version  MigrationVersion  `json:"version"`
	Name     string            `json:"name"`
	Format   string            `json:"format"`
	State    MigrationState    `json:"state"`
	Action   string            `json:"action,omitempty"`
	Evidence MigrationEvidence `json:"evidence"`
	// Lint are the findings of a migration still to run (dry run, status).
	Lint []LintFinding `json:"lint,omitempty"`
}

// MigrationVersion is a migration's version: a number, a timestamp, or Flyway's 1.1.
type MigrationVersion = migfiles.Version

// MigrationState is a migration's state: applied, reconciled, pending, partial, drift,
// checksum_changed.
type MigrationState = migrate.State

// MigrationEvidence is what the catalog showed of a migration: what was found and missing,
// what it cannot verify, drift, lint findings it ran with.
type MigrationEvidence = migrate.Evidence

// MigrateResult is what a run did: steady migrate --json's document.
type MigrateResult struct {
	Summary      string      `json:"summary"` // "migrations: 3 applied, 31 reconciled, 1 partial, 0 failed (35 total) in 412ms"
	Unchanged    bool        `json:"unchanged"`
	Judge        string      `json:"judge"`               // what decided where the database stands
	JudgeWhy     string      `json:"judge_why,omitempty"` // the shadow used, or why there was none
	ReplayMS     *int64      `json:"shadow_replay_ms,omitempty"`
	Applied      int         `json:"applied"`
	Reconciled   int         `json:"reconciled"`
	Partial      int         `json:"partial"`
	Failed       int         `json:"failed"`
	Drift        int         `json:"drift"`
	Total        int         `json:"total"`
	DurationMS   int64       `json:"duration_ms"`
	LockTaken    bool        `json:"lock_taken"`
	RiverApplied []int       `json:"river_applied"`
	Failures     []string    `json:"failures"`
	Migrations   []Migration `json:"migrations"`

	// PendingLint is a dry run's lint of the migrations it would run, against the database.
	PendingLint *LintReport `json:"-"`
	// Err is the run's failure (a migration failed, the lint refused one); also returned.
	Err    error `json:"-"`
	strict bool
}

// ExitCode is steady migrate's exit code: 2 when the migrations are bad input (nothing
// applied); under Strict 1 when a migration failed or the run could not be made, 4 on drift;
// 0 otherwise, failures included (logged, recorded, reported by the worker's /readyz): the
// Python migration runner's "never fail the deployment".
func (r *MigrateResult) ExitCode() int {
	switch {
	case r.Err != nil && isInput(r.Err):
		return ExitUsage
	case r.Err != nil && r.strict:
		return ExitFailure
	case r.Drift > 0 && r.strict:
		return ExitDrift
	}
	return ExitOK
}

// Migrate brings the database to the current schema: it reconciles what exists, runs what is
// missing (each migration linted first), then River's schema. When nothing is to be done it
// takes no lock and writes nothing. The result is never nil; its ExitCode says what steady
// migrate would exit with. A migration that does not parse is an *InputError (nothing
// applied).
func (m *Migrator) Migrate(ctx context.Context, opts MigrateOpts) (*MigrateResult, error) {
	res, err := m.m.Migrate(ctx, migrate.Opts{DryRun: opts.DryRun})
	if migrate.IsBadInput(err) || errors.As(err, new(*dbconn.RefusedError)) {
		err = input(err)
	}
	var findings *pendingLint
	if opts.DryRun && res != nil && res.Plan != nil {
		findings = lintPending(m.linter, res.Plan)
	}
	out := resultOf(res, findings)
	out.Err, out.strict = err, m.cfg.Strict
	if findings != nil {
		out.PendingLint = findings.report
	}
	return out, err
}

// Migrate opens a Migrator, runs it and closes it. The result is never nil: when the run
// could not be made (bad input, the database unreachable) its Err says why and ExitCode is the
// CLI's for it.
func Migrate(ctx context.Context, cfg MigrateConfig, opts MigrateOpts) (*MigrateResult, error) {
	m, err := OpenMigrator(ctx, cfg)
	if err != nil {
		return &MigrateResult{Err: err, strict: cfg.Strict, Failures: []string{}, Migrations: []Migration{}, RiverApplied: []int{}}, err
	}
	defer m.Close()
	return m.Migrate(ctx, opts)
}

// MigrationStatus is each migration's state and evidence, changing nothing: steady status's.
// Its JSON is steady status --json's array.
type MigrationStatus struct {
	Migrations []Migration
	// PendingLint is the lint of the migrations to run, against the database.
	PendingLint *LintReport
}

// MarshalJSON writes the migrations, as steady status --json does.
func (s *MigrationStatus) MarshalJSON() ([]byte, error) { return json.Marshal(s.Migrations) }

// ExitCode is steady status's: 0 every migration applied or reconciled, 3 some pending, 4 drift,
// partial state or a changed checksum.
func (s *MigrationStatus) ExitCode() int {
	code := ExitOK
	for _, mp := range s.Migrations {
		switch mp.State {
		case migrate.StateDrift, migrate.StatePartial, migrate.StateChecksumChanged:
			return ExitDrift
		case migrate.StatePending:
			code = ExitPending
		}
	}
	return code
}

// Status plans every migration against the catalog and changes nothing. A recorded migration's
// evidence includes the lint findings it ran with; one still to run has its lint against this
// database.
func (m *Migrator) Status(ctx context.Context) (*MigrationStatus, error) {
	plan, err := m.m.Plan(ctx)
	if migrate.IsBadInput(err) || errors.As(err, new(*dbconn.RefusedError)) {
		return nil, input(err)
	}
	if err != nil {
		return nil, err
	}
	if err := recordedLint(ctx, m.pools.Migration.Pool, m.pools.Schema, plan); err != nil {
		return nil, err
	}
	findings := lintPending(m.linter, plan)
	return &MigrationStatus{Migrations: migrationsOf(plan, findings), PendingLint: findings.report}, nil
}

// Status opens a Migrator, reads the status and closes it.
func Status(ctx context.Context, cfg MigrateConfig) (*MigrationStatus, error) {
	m, err := OpenMigrator(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	return m.Status(ctx)
}

// pendingLint is the lint of the migrations a plan would run, each against the plan's catalog.
type pendingLint struct {
	report    *lint.Report
	byVersion map[migfiles.Version][]lint.Finding
}

func lintPending(l *lint.Linter, plan *migrate.Plan) *pendingLint {
	p := &pendingLint{report: &lint.Report{Catalog: true, Findings: []lint.Finding{}}, byVersion: map[migfiles.Version][]lint.Finding{}}
	for i := range plan.Migrations {
		mp := &plan.Migrations[i]
		if mp.Action != migrate.ActionRun && mp.Action != migrate.ActionPartial {
			continue
		}
		f, ok := lint.PlannedFile(mp)
		if !ok {
			continue
		}
		r := l.Lint([]lint.File{f}, plan.Snapshot())
		p.report.Files++
		p.report.Findings = append(p.report.Findings, r.Findings...)
		p.byVersion[mp.Version] = r.Findings
	}
	return p
}

func resultOf(res *migrate.Result, findings *pendingLint) *MigrateResult {
	if res == nil {
		return &MigrateResult{Failures: []string{}, Migrations: []Migration{}, RiverApplied: []int{}}
	}
	failures := []string{}
	for _, f := range res.Failures {
		failures = append(failures, f.Error())
	}
	judge, why := migrate.JudgeNone, ""
	var replay *int64
	if res.Plan != nil {
		judge, why = res.Plan.Judge, res.Plan.JudgeWhy
		if took, _, ok := res.Plan.ShadowReplay(); ok {
			ms := took.Milliseconds()
			replay = &ms
		}
	}
	return &MigrateResult{
		Summary: res.Summary(), Unchanged: res.Unchanged, Judge: string(judge), JudgeWhy: why, ReplayMS: replay, Applied: res.Applied,
		Reconciled: res.Reconciled, Partial: res.Partial, Failed: res.Failed, Drift: res.Drift, Total: res.Total,
		DurationMS: res.Duration.Milliseconds(), LockTaken: res.LockTaken, RiverApplied: res.RiverApplied,
		Failures: failures, Migrations: migrationsOf(res.Plan, findings),
	}
}

func migrationsOf(p *migrate.Plan, findings *pendingLint) []Migration {
	out := []Migration{}
	if p == nil {
		return out
	}
	for _, mp := range p.Migrations {
		j := Migration{Version: mp.Version, Name: mp.Name, Format: string(mp.Format), State: mp.State, Action: string(mp.Action), Evidence: mp.Evidence}
		if findings != nil {
			j.Lint = findings.byVersion[mp.Version]
		}
		out = append(out, j)
	}
	return out
}

// recordedLint puts back in the evidence of each recorded migration the lint findings it ran
// with, which the run stored in schema_migrations (the plan verifies the catalog afresh).
func recordedLint(ctx context.Context, pool *pgxpool.Pool, schema bookkeeping.Schema, plan *migrate.Plan) error {
	t, ok := plan.Snapshot().Table(schema.Name(), "schema_migrations")
	if !ok || !slices.ContainsFunc(t.Columns, func(c catalog.Column) bool { return c.Name == "evidence" }) {
		return nil
	}
	rows, err := pool.Query(ctx, schema.SQL("SELECT version::text, evidence -> 'lint' FROM schema_migrations WHERE evidence -> 'lint' IS NOT NULL"))
	if err != nil {
		return fmt.Errorf("read lint evidence: %w", err)
	}
	stored := map[migfiles.Version][]string{}
	for rows.Next() {
		var v string
		var findings []string
		if err := rows.Scan(&v, &findings); err != nil {
			return fmt.Errorf("read lint evidence: %w", err)
		}
		if pv, err := migfiles.ParseVersion(v); err == nil {
			stored[pv] = findings
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read lint evidence: %w", err)
	}
	for i := range plan.Migrations {
		mp := &plan.Migrations[i]
		if mp.Action == migrate.ActionNone {
			mp.Evidence.Lint = stored[mp.Version]
		}
	}
	return nil
}
