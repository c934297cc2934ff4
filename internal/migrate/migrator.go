package migrate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/steadydb/steady/internal/backoff"
	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/riverdb"
	"github.com/steadydb/steady/internal/toolhistory"
)

// Config configures a Migrator.
type Config struct {
	Pool              *pgxpool.Pool   // the migration role's pool, as dbconn locked it; exec or simple protocol mode
	TransactionPooled bool            // Pool goes through a transaction pooler
	Migrations        fs.FS           // *.sql files at its root (or Prisma's and diesel's directories)
	Format            migfiles.Format // the files' format; "" detects it (see LoadFormat)
	Logger            *slog.Logger

	LockTimeout time.Duration // lock_timeout of every DDL transaction; default 2s
	LockRetries int           // attempts on lock timeout (55P03); default 5
	LeaseTTL    time.Duration // how long a killed runner blocks the next; default 30s
	SkipRiver   bool          // leave River's schema alone
	// Tables are steady's own tables and where they live (River's too); default: the public
	// schema through Pool.
	Tables *bookkeeping.Tables

	// Gate, when set, is consulted just before a migration's statements run (ActionRun,
	// ActionPartial), with the snapshot the plan was made from. An error refuses the migration
	// and ends the run there, as a failure does. steady's lint is the gate (--strict).
	Gate func(ctx context.Context, mp *MigrationPlan, snap *catalog.Snapshot) error

	// Shadow is where the history is replayed when steady must infer where a database stands
	// (replay.go). Without it the derived model decides alone.
	Shadow ShadowConfig

	// Preflight, when set, goes into the first round trip the Migrator sends (it only reads)
	// and is checked as soon as that returns, before anything else: the check of what the
	// connection reaches that dbconn leaves to the caller, so that a no-op deploy costs one
	// round trip. Its error ends the run.
	Preflight Preflight
}

// Preflight is a read that rides on the Migrator's first batch, and its check. The check's
// argument is the batch's error, nil when the batch succeeded.
type Preflight interface {
	Queue(b *pgx.Batch)
	Check(sendErr error) error
}

// Migrator plans and applies migrations.
type Migrator struct {
	cfg        Config
	log        *slog.Logger
	migrations []migfiles.Migration
	river      *rivermigrate.Migrator[pgx.Tx]
	schema     bookkeeping.Schema // of steady's tables and River's

	readOnce  sync.Once // file bodies and checksums, read on first need
	readErr   error
	parseOnce sync.Once
	parseErr  error
	modelOnce sync.Once
	md        *model // every effect of the set by object

	statesMu   sync.Mutex
	states     *states // of every prefix, from a shadow database (replay.go)
	statesErr  error
	statesKept bool      // in steady_shadow_states, by this run
	judgeOnce  sync.Once // the first plan logs what decided it

	preflightPassed atomic.Bool
}

// queuePreflight puts Config.Preflight into b until it has passed, and returns the check to
// make once b was sent.
func (m *Migrator) queuePreflight(b *pgx.Batch) func(sendErr error) error {
	if m.cfg.Preflight == nil || m.preflightPassed.Load() {
		return func(error) error { return nil }
	}
	m.cfg.Preflight.Queue(b)
	return func(sendErr error) error {
		if err := m.cfg.Preflight.Check(sendErr); err != nil {
			return err
		}
		m.preflightPassed.Store(true)
		return nil
	}
}

// New lists the migrations (names, versions, their order). Their files are read when first
// needed (a no-op run reads them while its one round trip is in flight) and parsed when a plan
// first needs them; a file that does not parse then fails the plan, naming its file and line,
// and nothing is applied.
func New(cfg Config) (*Migrator, error) {
	if cfg.Pool == nil {
		return nil, errors.New("migrate: Config.Pool is required")
	}
	switch cfg.Pool.Config().ConnConfig.DefaultQueryExecMode {
	case pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol:
	default:
		// A prepared batch fails as a whole on a table that does not exist yet, and prepared
		// statements break behind a transaction pooler.
		return nil, errors.New("migrate: Config.Pool must use pgx.QueryExecModeExec or QueryExecModeSimpleProtocol (dbconn's pools do)")
	}
	cfg.LockTimeout = cmp.Or(cfg.LockTimeout, 2*time.Second)
	cfg.LockRetries = cmp.Or(cfg.LockRetries, 5)
	cfg.LeaseTTL = cmp.Or(cfg.LeaseTTL, 30*time.Second)
	cfg.Logger = cmp.Or(cfg.Logger, slog.Default())
	if cfg.Tables == nil {
		t, err := bookkeeping.New(bookkeeping.Config{Pool: cfg.Pool, LeaseTTL: cfg.LeaseTTL, Logger: cfg.Logger})
		if err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		cfg.Tables = t
	}
	ms, err := migfiles.ListFormat(cfg.Migrations, cfg.Format)
	if err != nil {
		return nil, err
	}
	m := &Migrator{cfg: cfg, log: cfg.Logger, migrations: ms, schema: cfg.Tables.Schema()}
	if !cfg.SkipRiver {
		m.river, err = rivermigrate.New(riverpgxv5.New(cfg.Pool), &rivermigrate.Config{Logger: cfg.Logger, Schema: m.schema.Name()})
		if err != nil {
			return nil, fmt.Errorf("migrate: river migrator: %w", err)
		}
	}
	return m, nil
}

// Migrations returns the migrations, their files read (Checksum and SQL are empty when a file
// could not be read; Migrate reports why).
func (m *Migrator) Migrations() []migfiles.Migration {
	_ = m.read()
	return m.migrations
}

func (m *Migrator) read() error {
	m.readOnce.Do(func() { m.readErr = migfiles.Read(m.cfg.Migrations, m.migrations) })
	return m.readErr
}

func (m *Migrator) parse() error {
	m.parseOnce.Do(func() {
		if m.parseErr = m.read(); m.parseErr == nil {
			m.parseErr = migfiles.Parse(m.migrations)
		}
		if m.parseErr == nil {
			m.parseErr = ownTables(m.migrations, m.schema.Name())
		}
	})
	return m.parseErr
}

// model indexes the parsed set once per Migrator.
func (m *Migrator) model() *model {
	m.modelOnce.Do(func() { m.md = newModel(m.migrations) })
	return m.md
}

func (m *Migrator) riverPending(read bool, versions []int) bool {
	if m.river == nil {
		return false
	}
	all := m.river.AllVersions()
	return !read || len(versions) < len(all) || slices.Max(versions) < all[len(all)-1].Version
}

// Plan decides every migration from one catalog snapshot and the history. It changes nothing.
// On a database steady has migrated before it costs one round trip: the snapshot, the history
// and River's versions go in one batch, optimistically; where a table is missing (a fresh or
// older database) the batch fails after the snapshot and what it needs is read again.
func (m *Migrator) Plan(ctx context.Context) (*Plan, error) {
	if err := m.parse(); err != nil {
		return nil, err
	}
	var snap *catalog.Snapshot
	var hist map[migfiles.Version]record
	var riverVersions []int
	var version, digest string
	riverRead := false
	batch := &pgx.Batch{}
	preflight := m.queuePreflight(batch)
	// pg_get_indexdef and pg_get_constraintdef lock the table they describe: behind a long
	// ACCESS EXCLUSIVE lock the read waits, bounded like DDL (the batch is one transaction,
	// implicit, until its Sync). set_config, not SET LOCAL: the server logs a WARNING for a SET
	// LOCAL outside BEGIN, on every deploy, though it applies it all the same.
	batch.Queue("SELECT set_config('lock_timeout', $1, true)", fmt.Sprintf("%dms", m.cfg.LockTimeout.Milliseconds()))
	// The version first: a change between it and the snapshot makes a stamp stale, not wrong.
	catalog.QueueVersion(batch, &version)
	catalog.QueueRead(batch, &snap)
	queueHistoryDigest(batch, m.schema, &digest)
	batch.Queue(m.schema.SQL(selectHistory)).Query(func(rows pgx.Rows) (err error) {
		hist, err = scanHistory(rows)
		return err
	})
	if m.river != nil {
		batch.Queue(m.schema.SQL(riverdb.MigrationVersions)).Query(func(rows pgx.Rows) (err error) {
			riverVersions, err = pgx.CollectRows(rows, pgx.RowTo[int])
			riverRead = err == nil
			return err
		})
	}
	err := m.sendRetrying(ctx, batch)
	if perr := preflight(err); perr != nil {
		return nil, perr
	}
	if snap == nil {
		return nil, fmt.Errorf("plan migrations: %w", err)
	}
	shape := shapeOf(snap, m.schema)
	if err != nil && shape == historyCurrent && !isUndefined(err) {
		return nil, fmt.Errorf("plan migrations: read history: %w", err)
	}
	var foreign []toolhistory.Record
	if err != nil || shape != historyCurrent {
		// The slow path, once per database: read what exists, other tools' histories too.
		if hist, riverVersions, riverRead, foreign, err = m.readExisting(ctx, snap, shape); err != nil {
			var fe *toolhistory.UnfinishedError
			if errors.As(err, &fe) {
				return nil, err
			}
			return nil, fmt.Errorf("plan migrations: read history: %w", err)
		}
	}
	plan := m.decide(ctx, snap, hist, shape, foreign)
	plan.catalogVersion, plan.snapshot, plan.historyDigest = version, snap, digest
	plan.RiverPending = m.riverPending(riverRead, riverVersions)
	return plan, nil
}

// decide makes the plan with the best judge of where the database stands that is needed and
// available: the history alone when steady records every migration up to the new ones; a
// fresh database needs none; otherwise the exact states of a shadow database, and the model
// derived from the SQL text when there is no shadow or the history does not replay on one.
func (m *Migrator) decide(ctx context.Context, snap *catalog.Snapshot, hist map[migfiles.Version]record, shape historyShape, foreign []toolhistory.Record) *Plan {
	md := m.model()
	plan, why := func() (*Plan, string) {
		if !needsInference(md.ms, hist, foreign) {
			p := makePlan(snap, md, hist, shape, foreign)
			p.Judge = JudgeRecorded
			return p, "steady's history records every migration before the new ones"
		}
		live, err := catalog.ReadState(ctx, m.cfg.Pool)
		live = catalog.MaskFrozenTimes(live)
		if err == nil && len(foreign) == 0 && m.cfg.Shadow.Setup == "" &&
			len(historyObjects(live, BookkeepingKey(m.schema.Name()))) == 0 {
			p := makeExactPlan(snap, md, hist, shape, foreign, nil, live)
			p.Judge = JudgeFresh
			return p, "the database holds no object: every migration runs, in order"
		}
		if err == nil {
			var st *states
			if st, err = m.exactStates(ctx); err == nil {
				p := makeExactPlan(snap, md, hist, shape, foreign, st, live)
				p.Judge = JudgeShadow
				return p, st.where
			}
		}
		p := makePlan(snap, md, hist, shape, foreign)
		p.Judge = JudgeDerived
		return p, "the model derived from the SQL text; no exact states: " + err.Error()
	}()
	plan.JudgeWhy = why
	m.judgeOnce.Do(func() {
		level := slog.LevelInfo
		if plan.Judge == JudgeDerived {
			level = slog.LevelWarn
		}
		m.log.Log(ctx, level, "where the database stands", slog.String("judge", string(plan.Judge)), slog.String("why", why),
			slog.Int("prefix", plan.Prefix), slog.Int("total", len(md.ms)))
	})
	return plan
}

// needsInference reports whether steady must infer where the database stands: unless its own
// history records every migration, or the first ones without a gap (a deploy that adds new
// files), nothing records which of them ran.
func needsInference(ms []migfiles.Migration, hist map[migfiles.Version]record, foreign []toolhistory.Record) bool {
	j := 0
	for j < len(ms) {
		if _, ok := hist[ms[j].Version]; !ok {
			break
		}
		j++
	}
	if j == len(ms) {
		return false
	}
	if j == 0 {
		return true
	}
	for _, mi := range ms[j:] {
		if _, ok := hist[mi.Version]; ok {
			return true
		}
	}
	for _, f := range foreign {
		for _, mi := range ms[j:] {
			if f.Records(mi) {
				return true
			}
		}
	}
	return false
}

// sendRetrying sends the plan's batch, retrying a lock timeout with backoff and jitter.
func (m *Migrator) sendRetrying(ctx context.Context, batch *pgx.Batch) error {
	attempts, err := backoff.Linear(ctx, m.cfg.LockRetries, m.cfg.LockTimeout, isLockTimeout, func() error {
		return m.cfg.Pool.SendBatch(ctx, batch).Close()
	}, func(attempt int, wait time.Duration, _ error) {
		m.log.Warn("catalog read waited on a table lock, retrying", "attempt", attempt, "backoff", wait.Round(time.Millisecond).String())
	})
	if isLockTimeout(err) {
		return fmt.Errorf("read the catalog: a lock held on a table for over %d attempts: %w", attempts, err)
	}
	return err
}

// readExisting reads the history, other tools' histories and River's versions where the
// snapshot shows their tables. Another tool's record of a failed migration is a
// *toolhistory.UnfinishedError.
func (m *Migrator) readExisting(ctx context.Context, snap *catalog.Snapshot, shape historyShape) (map[migfiles.Version]record, []int, bool, []toolhistory.Record, error) {
	batch := &pgx.Batch{}
	var hist map[migfiles.Version]record
	var riverVersions []int
	riverRead := false
	if shape == historyCurrent || shape == historyOld {
		batch.Queue(m.schema.SQL(historySelect(snap, m.schema))).Query(func(rows pgx.Rows) (err error) {
			hist, err = scanHistory(rows)
			return err
		})
	}
	riverTable, riverExists := snap.Table(m.schema.Name(), "river_migration")
	if m.river != nil && riverExists && slices.ContainsFunc(riverTable.Columns, func(c catalog.Column) bool { return c.Name == "line" }) {
		batch.Queue(m.schema.SQL(riverdb.MigrationVersions)).Query(func(rows pgx.Rows) (err error) {
			riverVersions, err = pgx.CollectRows(rows, pgx.RowTo[int])
			riverRead = err == nil
			return err
		})
	}
	var foreign []toolhistory.Record
	var refusals []error
	if shape != historyCurrent {
		format := migfiles.FormatSteady
		if len(m.migrations) > 0 {
			format = m.migrations[0].Format
		}
		toolhistory.Queue(batch, snap, m.schema, shape == historyLegacy, format, &foreign, &refusals)
	}
	if batch.Len() == 0 {
		return nil, nil, false, nil, nil
	}
	err := m.cfg.Pool.SendBatch(ctx, batch).Close()
	if len(refusals) > 0 {
		return nil, nil, false, nil, refusals[0]
	}
	return hist, riverVersions, riverRead, foreign, err
}

// isUndefined reports a missing table, column or schema.
func isUndefined(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == pgerrcode.UndefinedTable || pgErr.Code == pgerrcode.UndefinedColumn ||
		pgErr.Code == pgerrcode.InvalidSchemaName)
}

// historySelect reads an older history table too, whatever columns it lacks.
func historySelect(snap *catalog.Snapshot, schema bookkeeping.Schema) string {
	t, _ := snap.Table(schema.Name(), historyTable)
	has := map[string]bool{}
	for _, c := range t.Columns {
		has[c.Name] = true
	}
	col := func(name, fallback string) string {
		if has[name] {
			return name
		}
		return fallback + " AS " + name
	}
	unpredicted := "NULL::jsonb AS unpredicted"
	if has["evidence"] {
		unpredicted = "evidence->'unpredicted'"
	}
	return fmt.Sprintf("SELECT version::text, %s, %s, %s, %s, %s FROM schema_migrations",
		col("name", "''::text"), col("checksum", "NULL::text"), col("reconciled", "false"), col("applied_at", "now()"), unpredicted)
}

// Opts are the options of one run.
type Opts struct {
	DryRun bool // plan and report; change nothing
}

// Result is what a run did.
type Result struct {
	Plan                                               *Plan // nil when Unchanged
	Unchanged                                          bool  // catalog and files as the last clean verification left them
	Applied, Reconciled, Partial, Failed, Drift, Total int
	LockTaken                                          bool
	RiverApplied                                       []int
	Duration                                           time.Duration
	Failures                                           []error
}

// Summary is the run's one-line summary.
func (r *Result) Summary() string {
	return fmt.Sprintf("migrations: %d applied, %d reconciled, %d partial, %d failed (%d total) in %s",
		r.Applied, r.Reconciled, r.Partial, r.Failed, r.Total, r.Duration.Round(time.Millisecond))
}

// Clean reports a plan with nothing pending, nothing failed and no drift.
func (p *Plan) Clean() bool {
	if p.history != historyCurrent || p.RiverPending {
		return false
	}
	for _, mp := range p.Migrations {
		if (mp.State != StateApplied && mp.State != StateReconciled) || len(mp.Evidence.Drift) > 0 {
			return false
		}
	}
	return true
}

// Err joins the failures.
func (r *Result) Err() error { return errors.Join(r.Failures...) }

// Migrate brings the database to the current schema. When the plan shows nothing to do it
// takes no lock and writes nothing. Otherwise it takes the lease, plans again (another runner
// may have finished meanwhile), records what is present, runs what is missing, then migrates
// River's schema under the same lease. A failed migration stops the run: later ones may depend
// on it. Failures are returned in Result.Failures and as the error.
func (m *Migrator) Migrate(ctx context.Context, opts Opts) (*Result, error) {
	start := time.Now()
	res := &Result{Total: len(m.migrations)}
	unchanged := false
	if !opts.DryRun {
		var err error
		if unchanged, err = m.unchanged(ctx); err != nil {
			return res, err
		}
	}
	if unchanged {
		res.Unchanged = true
		res.Duration = time.Since(start)
		m.log.Info(res.Summary(), slog.String("verified", "catalog and files unchanged since the last clean run"), slog.Bool("lock_taken", false))
		return res, nil
	}
	plan, err := m.Plan(ctx)
	if err != nil {
		return res, err
	}
	res.Plan = plan
	if opts.DryRun || !plan.Work() {
		if !opts.DryRun {
			// steady's own tables (the failures and the stamp are among them), once the plan
			// has not refused the database; a dry run changes nothing. Where this makes or
			// changes them, the stamp below is stale once and the next run stamps again.
			if err := m.cfg.Tables.Ensure(ctx); err != nil {
				return res, err
			}
		}
		m.tally(res, plan)
		if !opts.DryRun && plan.Clean() {
			// One idempotent row, no lock: the next run can skip the full verification.
			if err := m.stamp(ctx, plan); err != nil {
				m.log.Warn("could not stamp the verification", slog.Any("error", err))
			}
		}
		res.Duration = time.Since(start)
		m.log.Info(res.Summary(), slog.Bool("dry_run", opts.DryRun), slog.Bool("lock_taken", false))
		return res, res.Err()
	}
	l, runCtx, err := m.cfg.Tables.AcquireLease(ctx, m.cfg.LeaseTTL)
	if err != nil {
		return res, err
	}
	res.LockTaken = true
	defer l.Release(ctx)
	// Another runner may have finished between the plan and the lease: the plan holds when no
	// lease was ever taken before this one, or when the catalog and the history are as it read
	// them (one round trip); else it is made again. steady's own tables are ensured in between,
	// under this lease.
	same := l.First() || m.unchangedSince(runCtx, plan)
	if err := m.cfg.Tables.Ensure(runCtx); err != nil {
		return res, err
	}
	if !same {
		if plan, err = m.Plan(runCtx); err != nil {
			return res, err
		}
	}
	res.Plan = plan
	if err := prepareHistory(runCtx, m.cfg.Pool, m.schema, plan.history, plan.foreign); err != nil {
		return res, err
	}
	m.keepStates(runCtx)
	m.apply(runCtx, res)
	if plan.states != nil && res.Err() == nil {
		m.checkAgainstStates(runCtx, res)
	}
	if m.river != nil && plan.RiverPending {
		// Migrate, not MigrateTx: MigrateTx fails on a fresh schema (55P04).
		// docs/architecture.md, "rivermigrate takes no lock".
		rr, err := m.river.Migrate(runCtx, rivermigrate.DirectionUp, nil)
		if err != nil {
			res.Failures = append(res.Failures, fmt.Errorf("river migrations: %w", err))
		} else {
			for _, v := range rr.Versions {
				res.RiverApplied = append(res.RiverApplied, v.Version)
			}
		}
	}
	if cause := context.Cause(runCtx); errors.Is(cause, bookkeeping.ErrLeaseLost) {
		res.Failures = append(res.Failures, cause)
	}
	if res.Applied+res.Partial+res.Reconciled > 0 || res.Err() == nil {
		m.verifyAfterRun(runCtx, res)
	}
	res.Duration = time.Since(start)
	m.log.Info(res.Summary(), slog.Bool("lock_taken", true), slog.Any("river_applied", res.RiverApplied))
	return res, res.Err()
}

// verifyAfterRun verifies the result of a run once more: what the run's files left that
// steady's picture did not predict is recorded as its limits (also after a failure: those
// files ran without an error), and a clean run is stamped.
func (m *Migrator) verifyAfterRun(ctx context.Context, res *Result) {
	final, err := m.Plan(ctx)
	if err != nil {
		m.log.Warn("could not verify the run", slog.Any("error", err))
		return
	}
	if m.absorbMispredictions(ctx, res.Plan, final) {
		if final, err = m.Plan(ctx); err != nil {
			m.log.Warn("could not verify the run", slog.Any("error", err))
			return
		}
	}
	if res.Err() != nil || res.Drift > 0 || !final.Clean() {
		return
	}
	if err := m.stamp(ctx, final); err != nil {
		m.log.Warn("could not stamp the verification", slog.Any("error", err))
	}
}

// absorbMispredictions records, as limits of steady's picture (Evidence.Unpredicted), the
// effects of recorded migrations that the catalog shows otherwise after a run that applied
// every file without an error, where the run's own files made the difference: an effect
// already missing or different before the run is drift, and stays so. A column dropped by a
// later file takes the indexes and constraints on it along, a DO block creates a constraint
// only when it is missing: PostgreSQL knows, the picture may not. It reports whether it
// recorded any.
func (m *Migrator) absorbMispredictions(ctx context.Context, before, after *Plan) bool {
	known := map[migfiles.Version]map[string]bool{}
	for _, mp := range before.Migrations {
		for _, e := range mp.mispredicted {
			if known[mp.Version] == nil {
				known[mp.Version] = map[string]bool{}
			}
			known[mp.Version][e] = true
		}
	}
	var rows []newRecord
	var logged []string
	for _, mp := range after.Migrations {
		var effects []string
		for _, e := range mp.mispredicted {
			if !known[mp.Version][e] {
				effects = append(effects, e)
				logged = append(logged, fmt.Sprintf("%s:%d %s", mp.File, lineOf(&mp, e), e))
			}
		}
		if len(effects) > 0 {
			rows = append(rows, newRecord{Version: mp.Version, Evidence: Evidence{Unpredicted: effects}})
		}
	}
	if len(rows) == 0 {
		return false
	}
	m.log.Warn("after the run the catalog shows objects other than steady's picture of the files predicted, where files that ran without an error made them: recorded as limits of the picture, which later checks leave to the catalog",
		slog.Any("objects", logged))
	if err := addUnpredicted(ctx, m.cfg.Pool, m.schema, rows); err != nil {
		m.log.Warn("could not record the limits of the picture", slog.Any("error", err))
		return false
	}
	return true
}

// lineOf is the line of the statement of a plan whose effect e is (as Effect.String).
func lineOf(mp *MigrationPlan, e string) int {
	for _, sp := range mp.Statements {
		for _, eff := range sp.Effects {
			if eff.String() == e {
				return sp.Line
			}
		}
	}
	return 0
}

// apply walks the plan in order.
func (m *Migrator) apply(ctx context.Context, res *Result) {
	plan := res.Plan
	var reconciled []newRecord
	defer func() {
		// One statement records every reconciled migration, however many there are.
		if _, err := insertHistory(context.WithoutCancel(ctx), m.cfg.Pool, m.schema, reconciled); err != nil {
			res.Failures = append(res.Failures, err)
		}
	}()
	for i := range plan.Migrations {
		mp := &plan.Migrations[i]
		switch mp.Action {
		case ActionNone:
			m.logDecision(mp, "skip", 0)
		case ActionReconcile:
			reconciled = append(reconciled, newRecord{Version: mp.Version, Name: mp.Name,
				Checksum: mp.migration.Checksum, Reconciled: true, Evidence: mp.Evidence})
			mp.State = StateReconciled
			m.logDecision(mp, "reconciled", 0)
			if len(mp.Evidence.Unpredicted) > 0 && mp.Evidence.RecordedBy != "" {
				m.log.Warn("the catalog shows objects other than steady's picture of a file "+mp.Evidence.RecordedBy+" records as run: recorded as limits of the picture, which later checks leave to the catalog",
					slog.String("file", mp.File), slog.Any("objects", mp.Evidence.Unpredicted))
			}
		case ActionRun, ActionPartial:
			if len(mp.Evidence.Conflicts) > 0 {
				m.fail(ctx, res, mp, fmt.Errorf("%s: %s", mp.File, strings.Join(mp.Evidence.Conflicts, "; ")))
				return
			}
			if m.cfg.Gate != nil {
				if err := m.cfg.Gate(ctx, mp, plan.snapshot); err != nil {
					m.fail(ctx, res, mp, err)
					return
				}
			}
			took, err := m.applyOne(ctx, mp)
			if errors.Is(err, errRecordedMeanwhile) {
				mp.Action, mp.State = ActionNone, StateApplied
				m.logDecision(mp, "skip (recorded by another runner)", took)
				continue
			}
			if err != nil {
				m.fail(ctx, res, mp, err)
				return
			}
			decision := "applied"
			if mp.Action == ActionPartial {
				decision = "partial"
			}
			mp.State = StateApplied
			m.logDecision(mp, decision, took)
		}
	}
	m.tally(res, plan)
}

func (m *Migrator) fail(ctx context.Context, res *Result, mp *MigrationPlan, err error) {
	mp.State = StateFailed
	res.Failures = append(res.Failures, fmt.Errorf("migration %s %s: %w", mp.Version, mp.Name, err))
	m.log.Error("❌ migration failed", slog.Any("version", mp.Version), slog.String("name", mp.Name), slog.Any("error", err))
	m.recordFailure(ctx, mp, err)
	m.tally(res, res.Plan)
}

func (m *Migrator) tally(res *Result, plan *Plan) {
	res.Applied, res.Reconciled, res.Partial, res.Failed, res.Drift = 0, 0, 0, 0, 0
	for _, mp := range plan.Migrations {
		switch {
		case mp.State == StateFailed:
			res.Failed++
		case mp.Action == ActionPartial && mp.State == StateApplied:
			res.Partial++
		case mp.Action == ActionRun && mp.State == StateApplied:
			res.Applied++
		case mp.Action == ActionReconcile && mp.State == StateReconciled:
			res.Reconciled++
		}
		if mp.State == StateDrift || mp.State == StateChecksumChanged || len(mp.Evidence.Drift) > 0 {
			res.Drift++
		}
	}
}

// logDecision writes one line per decision. Recorded migrations in place log at debug level:
// a no-op deploy of a thousand migrations is one summary line.
func (m *Migrator) logDecision(mp *MigrationPlan, decision string, took time.Duration) {
	level := slog.LevelInfo
	switch {
	case mp.State == StateDrift || mp.State == StateChecksumChanged:
		level, decision = slog.LevelWarn, string(mp.State)
	case decision == "skip":
		level = slog.LevelDebug
	}
	attrs := []slog.Attr{slog.Any("version", mp.Version), slog.String("name", mp.Name), slog.String("decision", decision)}
	if took > 0 {
		attrs = append(attrs, slog.Int64("duration_ms", took.Milliseconds()))
	}
	attrs = append(attrs, evidenceAttrs(mp.Evidence)...)
	m.log.LogAttrs(context.Background(), level, "migration", attrs...)
}

func evidenceAttrs(ev Evidence) []slog.Attr {
	var out []slog.Attr
	for _, f := range []struct {
		key  string
		vals []string
	}{{"found", ev.Found}, {"missing", ev.Missing}, {"skipped", ev.Skipped}, {"superseded", ev.Superseded},
		{"unverifiable", ev.Unverifiable}, {"drift", ev.Drift}, {"conflicts", ev.Conflicts}, {"lint", ev.Lint}} {
		if len(f.vals) > 0 {
			out = append(out, slog.Any(f.key, f.vals))
		}
	}
	return out
}
