package migrate_test

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

type bundle struct {
	db     *dbtest.DB
	pool   *pgxpool.Pool // through PgBouncer, as the product's POOLER pool
	direct *pgx.Conn
	trace  *sqlLog
	logs   *dbtest.LogBuffer
	log    *slog.Logger
}

// setup gives each test its own database, a pool through PgBouncer in transaction mode with a
// statement log, and a direct connection for arranging state.
func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{db: dbtest.New(t), trace: &sqlLog{}, logs: &dbtest.LogBuffer{}}
	b.log = slog.New(slog.NewTextHandler(b.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	b.pool = pooledPool(t, b.db.PoolerURL, b.trace)
	conn, err := pgx.Connect(ctx, b.db.DirectURL)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	b.direct = conn
	return b
}

func pooledPool(t *testing.T, url string, trace *sqlLog) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(url)
	require.NoError(t, err)
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec // as dbconn configures POOLER
	if trace != nil {
		cfg.ConnConfig.Tracer = trace
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

func (b *bundle) migrator(t *testing.T, src fs.FS, mutate ...func(*migrate.Config)) *migrate.Migrator {
	t.Helper()
	cfg := migrate.Config{Pool: b.pool, TransactionPooled: true, Migrations: src, Logger: b.log, SkipRiver: true}
	for _, f := range mutate {
		f(&cfg)
	}
	m, err := migrate.New(cfg)
	require.NoError(t, err)
	return m
}

// runFiles executes migration files directly, as another tool (or the Python system) would
// have, leaving no steady history.
func (b *bundle) runFiles(t *testing.T, src fs.FS, upTo int) {
	t.Helper()
	names, err := fs.Glob(src, "*.sql")
	require.NoError(t, err)
	for _, n := range names[:upTo] {
		body, err := fs.ReadFile(src, n)
		require.NoError(t, err)
		_, err = b.direct.Exec(context.Background(), string(body), pgx.QueryExecModeSimpleProtocol)
		require.NoError(t, err, n)
	}
}

func (b *bundle) exec(t *testing.T, sql string) {
	t.Helper()
	_, err := b.direct.Exec(context.Background(), sql, pgx.QueryExecModeSimpleProtocol)
	require.NoError(t, err)
}

func (b *bundle) historyCount(t *testing.T) (total, reconciled int) {
	t.Helper()
	require.NoError(t, b.direct.QueryRow(context.Background(),
		"SELECT count(*), count(*) FILTER (WHERE reconciled) FROM schema_migrations").Scan(&total, &reconciled))
	return
}

func shipped(t *testing.T) []migfiles.Migration {
	t.Helper()
	ms, err := migfiles.Load(migrations.FS)
	require.NoError(t, err)
	require.NoError(t, migfiles.Parse(ms))
	return ms
}

func states(p *migrate.Plan) map[migrate.State]int {
	out := map[migrate.State]int{}
	for _, m := range p.Migrations {
		out[m.State]++
	}
	return out
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("EmptyDatabaseAllApplied", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		n := len(shipped(t))
		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.Equal(t, n, res.Applied)
		require.Zero(t, res.Drift, b.logs.String())
		require.True(t, res.LockTaken)
		total, reconciled := b.historyCount(t)
		require.Equal(t, n, total)
		require.Zero(t, reconciled)

		plan, err := b.migrator(t, migrations.FS).Plan(ctx)
		require.NoError(t, err)
		require.Equal(t, map[migrate.State]int{migrate.StateApplied: n}, states(plan))
	})

	t.Run("SecondRunAppliesNothingTakesNoLockInOneRoundTrip", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		m := func() *migrate.Migrator {
			return b.migrator(t, migrations.FS, func(c *migrate.Config) { c.SkipRiver = false })
		}
		_, err := m().Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		b.trace.reset()
		res, err := m().Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.False(t, res.LockTaken)
		require.Zero(t, res.Applied+res.Reconciled+res.Partial+res.Failed)
		// The catalog version, the last verification's stamp and River's versions in one batch:
		// no file parsed, no snapshot, no lock, no write.
		require.True(t, res.Unchanged)
		require.Equal(t, 1, b.trace.roundTrips(), b.trace.all())
		require.Len(t, b.trace.all(), 3, b.trace.all())
		for _, mig := range m().Migrations() {
			require.Nil(t, mig.Parsed, "%s was parsed", mig.File)
		}
		for _, q := range b.trace.all() {
			require.NotContains(t, q, "steady_migration_lease")
			require.NotContains(t, strings.ToUpper(q), "INSERT")
		}
	})

	t.Run("ChangedCatalogIsVerifiedInFull", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.True(t, res.Unchanged)

		b.exec(t, "DROP VIEW lead_overview; ALTER TABLE leads DROP COLUMN phone_whatsapp")
		res, err = b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.False(t, res.Unchanged)
		require.Positive(t, res.Drift)
		// Drift is never stamped: every run keeps reporting it.
		res, err = b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.False(t, res.Unchanged)
		require.Positive(t, res.Drift)
	})

	t.Run("EveryObjectPresentNoHistoryAllReconciledZeroDDL", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ms := shipped(t)
		b.runFiles(t, migrations.FS, len(ms))
		b.trace.reset()
		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.Equal(t, len(ms), res.Reconciled, b.logs.String())
		require.Zero(t, res.Applied+res.Partial)
		// Not one statement of any migration was sent.
		sent := strings.Join(b.trace.all(), "\n")
		for _, m := range ms {
			for _, st := range m.Parsed.Statements {
				require.NotContains(t, sent, strings.TrimSpace(st.SQL), "%s:%d ran", m.File, st.Line)
			}
		}
		total, reconciled := b.historyCount(t)
		require.Equal(t, len(ms), total)
		require.Equal(t, len(ms), reconciled)
		var evidence string
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT evidence::text FROM schema_migrations WHERE name = 'gmail_receipts_table'").Scan(&evidence))
		require.Contains(t, evidence, "public.gmail_receipts")
	})

	t.Run("HalfPresentIsCompletedWithoutAlreadyExists", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ms := shipped(t)
		b.runFiles(t, migrations.FS, 7) // up to users
		// Half of 0008: two of its five columns were added by hand.
		b.exec(t, "ALTER TABLE leads ADD COLUMN phone_whatsapp text, ADD COLUMN whatsapp_opt_in boolean NOT NULL DEFAULT false")
		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err, b.logs.String())
		// 0001-0007 are in place; 0008 is where the database stands, half done; 0009 onwards
		// (0035, which drops one of 0008's columns, too) have not run and run whole.
		require.Equal(t, 7, res.Reconciled)
		require.Equal(t, 1, res.Partial)
		require.Equal(t, len(ms)-8, res.Applied)
		require.NotContains(t, b.logs.String(), "already exists")
		var p migrate.MigrationPlan
		for _, mp := range res.Plan.Migrations {
			if mp.Name == "whatsapp_fields_leads" {
				p = mp
			}
		}
		require.Equal(t, migrate.ActionPartial, p.Action)
		require.Len(t, p.Evidence.Skipped, 2) // the two present
		var ran []string
		for _, st := range p.Statements {
			if st.Run {
				ran = append(ran, st.Effects[0].Object.Name)
			}
		}
		require.Equal(t, []string{"whatsapp_jid", "whatsapp_opt_in_at", "whatsapp_last_seen_at"}, ran)

		plan, err := b.migrator(t, migrations.FS).Plan(ctx)
		require.NoError(t, err)
		require.Zero(t, states(plan)[migrate.StateDrift]+states(plan)[migrate.StatePending])
	})

	t.Run("LaterDropIsNotUndoneByReconcile", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ms := shipped(t)
		b.runFiles(t, migrations.FS, len(ms)) // final schema: whatsapp_jid dropped by 0035
		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.Equal(t, len(ms), res.Reconciled)
		var n int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'leads'::regclass AND attname = 'whatsapp_jid' AND NOT attisdropped").Scan(&n))
		require.Zero(t, n)
	})

	t.Run("ThreeConcurrentRunnersThroughPgBouncerApplyEachOnce", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		n := len(shipped(t))
		var wg sync.WaitGroup
		results := make([]*migrate.Result, 3)
		errs := make([]error, 3)
		for i := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each runner is a separate process in production: its own pool.
				pool := pooledPool(t, b.db.PoolerURL, nil)
				m, err := migrate.New(migrate.Config{Pool: pool, TransactionPooled: true, Migrations: migrations.FS,
					Logger: b.log, LeaseTTL: 5 * time.Second})
				if err != nil {
					errs[i] = err
					return
				}
				results[i], errs[i] = m.Migrate(ctx, migrate.Opts{})
			}()
		}
		wg.Wait()
		applied := 0
		for i := range 3 {
			require.NoError(t, errs[i])
			applied += results[i].Applied
		}
		require.Equal(t, n, applied, "each migration applied exactly once across runners")
		total, _ := b.historyCount(t)
		require.Equal(t, n, total)
		var riverVersions int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM river_migration").Scan(&riverVersions))
		require.Positive(t, riverVersions)
	})

	t.Run("PythonEraHistoryAdopted", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		ms := shipped(t)
		b.runFiles(t, migrations.FS, len(ms))
		b.exec(t, `CREATE TABLE schema_migrations (version text PRIMARY KEY);
			INSERT INTO schema_migrations VALUES ('core_tables_business'), ('whatsapp_fields_leads'), ('110')`)
		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err, b.logs.String())
		require.Equal(t, len(ms), res.Reconciled)
		var legacy int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM schema_migrations_python").Scan(&legacy))
		require.Equal(t, 3, legacy, "the old history is kept")
		total, _ := b.historyCount(t)
		require.Equal(t, len(ms), total)
	})

	t.Run("OlderSteadyHistoryUpgradedInPlace", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.runFiles(t, migrations.FS, 2)
		b.exec(t, `CREATE TABLE schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, checksum text);
			INSERT INTO schema_migrations (version, name) VALUES (1, 'core_tables_business'), (2, 'core_tables_leads')`)
		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err, b.logs.String())
		require.Equal(t, len(shipped(t))-2, res.Applied)
		var cols int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'schema_migrations'::regclass AND attnum > 0 AND NOT attisdropped").Scan(&cols))
		require.Equal(t, 7, cols)
	})

	t.Run("BrokenSQLIsAClearErrorAndNothingApplied", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		src := fstest.MapFS{
			"0001_ok.sql":     {Data: []byte("CREATE TABLE ok (id int);\n")},
			"0002_broken.sql": {Data: []byte("-- a typo\nCREATE TABLE broken (id int);\nALTER TABLE broken ADD COLUMN;\n")},
		}
		m, err := migrate.New(migrate.Config{Pool: b.pool, Migrations: src, SkipRiver: true})
		require.NoError(t, err, "files are parsed when a plan needs them")
		_, err = m.Migrate(ctx, migrate.Opts{})
		var pe *fingerprint.ParseError
		require.ErrorAs(t, err, &pe)
		require.Equal(t, "0002_broken.sql", pe.File)
		require.Equal(t, 3, pe.Line)
		require.Contains(t, err.Error(), "syntax error")
		var n int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname IN ('ok', 'broken', 'schema_migrations')").Scan(&n))
		require.Zero(t, n)
	})

	t.Run("LockTimeoutRetriedThenClearFailure", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		src := fstest.MapFS{
			"0001_t.sql":   {Data: []byte("CREATE TABLE t (id int);\n")},
			"0002_add.sql": {Data: []byte("ALTER TABLE t ADD COLUMN note text;\n")},
		}
		_, err := b.migrator(t, fstest.MapFS{"0001_t.sql": src["0001_t.sql"]}).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		// Another session holds the table for the whole test.
		tx, err := b.direct.Begin(ctx)
		require.NoError(t, err)
		defer tx.Rollback(ctx) //nolint:errcheck
		_, err = tx.Exec(ctx, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
		require.NoError(t, err)

		res, err := b.migrator(t, src, func(c *migrate.Config) { c.LockTimeout, c.LockRetries = 50*time.Millisecond, 3 }).Migrate(ctx, migrate.Opts{})
		var se *migrate.StatementError
		require.ErrorAs(t, err, &se)
		require.Equal(t, "0002_add.sql", se.File)
		require.Equal(t, 1, se.Line)
		require.Equal(t, 3, se.Attempts)
		require.Contains(t, err.Error(), "ALTER TABLE t ADD COLUMN note text")
		require.Contains(t, err.Error(), "55P03")
		require.Equal(t, 1, res.Failed)
		require.Equal(t, 2, strings.Count(b.logs.String(), "lock timeout, retrying"))
		var failures int
		require.NoError(t, b.pool.QueryRow(ctx, "SELECT count(*) FROM steady_migration_failures WHERE version = '2'").Scan(&failures))
		require.Equal(t, 1, failures)
	})

	t.Run("CatalogReadBehindALockIsBounded", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.runFiles(t, migrations.FS, 3)
		// pg_get_indexdef and pg_get_constraintdef wait for a table's lock: the plan must not
		// hang a deploy behind one.
		tx, err := b.direct.Begin(ctx)
		require.NoError(t, err)
		defer tx.Rollback(ctx) //nolint:errcheck
		_, err = tx.Exec(ctx, "LOCK TABLE leads IN ACCESS EXCLUSIVE MODE")
		require.NoError(t, err)
		_, err = b.migrator(t, migrations.FS, func(c *migrate.Config) { c.LockTimeout, c.LockRetries = 50*time.Millisecond, 2 }).Plan(ctx)
		require.ErrorContains(t, err, "a lock held on a table")
		require.ErrorContains(t, err, "55P03")
		require.Equal(t, 1, strings.Count(b.logs.String(), "catalog read waited on a table lock"))
	})

	t.Run("DroppedColumnIsDrift", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.runFiles(t, migrations.FS, len(shipped(t)))
		_, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		b.exec(t, "DROP VIEW lead_overview; ALTER TABLE leads DROP COLUMN phone_whatsapp")
		plan, err := b.migrator(t, migrations.FS).Plan(ctx)
		require.NoError(t, err)
		for _, mp := range plan.Migrations {
			switch mp.Name {
			case "whatsapp_fields_leads":
				require.Equal(t, migrate.StateDrift, mp.State)
				require.Contains(t, mp.Evidence.Missing, "column public.leads.phone_whatsapp")
			case "lead_overview_view":
				require.Equal(t, migrate.StateDrift, mp.State)
			}
		}
	})

	t.Run("ChangedChecksumIsReportedNotRerun", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		v1 := fstest.MapFS{"0001_t.sql": {Data: []byte("CREATE TABLE t (id int);\n")}}
		_, err := b.migrator(t, v1).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		v2 := fstest.MapFS{"0001_t.sql": {Data: []byte("CREATE TABLE t (id bigint);\n")}}
		b.trace.reset()
		res, err := b.migrator(t, v2).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.Equal(t, migrate.StateChecksumChanged, res.Plan.Migrations[0].State)
		require.Equal(t, 1, res.Drift)
		require.NotContains(t, strings.Join(b.trace.all(), "\n"), "CREATE TABLE t")
	})

	t.Run("PartialRepairRunsNoDataStatement", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// The rule: a migration found partly in place is repaired by the creations that are
		// missing; its data statements ran (or the catalog cannot tell), so they do not run again.
		src := fstest.MapFS{"0001_t.sql": {Data: []byte(`CREATE TABLE t (id int PRIMARY KEY, note text);
INSERT INTO t VALUES (1, 'seed') ON CONFLICT DO NOTHING;
ALTER TABLE t ADD COLUMN extra text;
UPDATE t SET extra = 'filled' WHERE extra IS NULL;
`)}}
		b.exec(t, "CREATE TABLE t (id int PRIMARY KEY, note text)")
		res, err := b.migrator(t, src).Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		require.Equal(t, 1, res.Partial)
		var runs []bool
		for _, st := range res.Plan.Migrations[0].Statements {
			runs = append(runs, st.Run)
		}
		require.Equal(t, []bool{false, false, true, false}, runs)
		var rows int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&rows))
		require.Zero(t, rows, "the INSERT did not run again")
	})

	t.Run("DryRunChangesNothing", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		res, err := b.migrator(t, migrations.FS).Migrate(ctx, migrate.Opts{DryRun: true})
		require.NoError(t, err)
		require.False(t, res.LockTaken)
		require.Equal(t, len(shipped(t)), states(res.Plan)[migrate.StatePending])
		var n int
		require.NoError(t, b.direct.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace").Scan(&n))
		require.Zero(t, n)
	})
}

// sqlLog is a pgx tracer recording every statement a pool sends, and the round trips: a query
// is one, a batch is one whatever it holds.
type sqlLog struct {
	mu    sync.Mutex
	sql   []string
	trips int
}

func (l *sqlLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sql = append(l.sql, d.SQL)
	l.trips++
	return ctx
}

func (l *sqlLog) roundTrips() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.trips
}
func (l *sqlLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (l *sqlLog) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, q := range d.Batch.QueuedQueries {
		l.sql = append(l.sql, q.SQL)
	}
	l.trips++
	return ctx
}
func (l *sqlLog) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (l *sqlLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func (l *sqlLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sql, l.trips = nil, 0
}

func (l *sqlLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.sql...)
}

var _ = fmt.Sprint

func files(names map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range names {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}
