package bookkeeping_test

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/migrate"
)

// statements counts what a pool sends, for the one-round-trip promises.
type statements struct{ n atomic.Int64 }

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	s.n.Add(1)
	return ctx
}
func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

type bundle struct {
	pooler *pgxpool.Pool // through PgBouncer in transaction mode, as steady runs
	direct *pgxpool.Pool // the test's own reads
	sent   *statements   // statements sent on pooler
}

// setup is an empty database of the test's own.
func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	cfg, err := pgxpool.ParseConfig(db.PoolerURL)
	require.NoError(t, err)
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec // as dbconn's pools
	sent := &statements{}
	cfg.ConnConfig.Tracer = sent
	pooler, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pooler.Close)
	direct, err := pgxpool.New(ctx, db.DirectURL)
	require.NoError(t, err)
	t.Cleanup(direct.Close)
	return &bundle{pooler: pooler, direct: direct, sent: sent}
}

func (b *bundle) tables(t *testing.T, schema string) *bookkeeping.Tables {
	t.Helper()
	tables, err := bookkeeping.New(bookkeeping.Config{Pool: b.pooler, Schema: schema})
	require.NoError(t, err)
	return tables
}

func (b *bundle) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, b.direct.QueryRow(context.Background(), sql, args...).Scan(&n), sql)
	return n
}

// tablesIn lists the relations of a schema whose names steady gives its own tables.
func (b *bundle) tablesIn(t *testing.T, schema string) []string {
	t.Helper()
	rows, err := b.direct.Query(context.Background(), `SELECT c.relname::text FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind = 'r' AND (c.relname LIKE 'steady\_%' OR c.relname LIKE 'schema\_migrations%')
		ORDER BY 1`, schema)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

var allTables = []string{"steady_backfill_definitions", "steady_backfill_runs", "steady_backfill_slices", "steady_index_reloptions", "steady_migration_failures",
	"steady_migration_lease", "steady_migration_state", "steady_schema_versions", "steady_shadow_states", "steady_workers"}

func TestEnsure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("ProcessesStartingAtOnceMakeTheTablesOnce", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// Separate Tables, as separate processes: the lease table is bootstrapped by racing
		// creators, then one applies the versions and the others find them applied.
		var g errgroup.Group
		for range 4 {
			g.Go(func() error {
				tables, err := bookkeeping.New(bookkeeping.Config{Pool: b.pooler})
				if err != nil {
					return err
				}
				return tables.Ensure(ctx)
			})
		}
		require.NoError(t, g.Wait())
		require.Equal(t, allTables, b.tablesIn(t, "public"))
		require.Equal(t, bookkeeping.Latest(), b.count(t, "SELECT count(*) FROM steady_schema_versions"))
		require.Zero(t, b.count(t, "SELECT count(*) FROM steady_migration_lease"), "the lease was given back")
	})

	t.Run("CurrentCostsOneStatementOncePerProcess", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		require.NoError(t, b.tables(t, "").Ensure(ctx))
		process := b.tables(t, "")
		before := b.sent.n.Load()
		require.NoError(t, process.Ensure(ctx))
		require.Equal(t, int64(1), b.sent.n.Load()-before, "one read of the versions")
		require.NoError(t, process.Ensure(ctx))
		require.Equal(t, int64(1), b.sent.n.Load()-before, "nothing the second time")
	})

	t.Run("OtherSchema", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		tables := b.tables(t, "steady_ops")
		require.NoError(t, tables.Ensure(ctx))
		require.Equal(t, allTables, b.tablesIn(t, "steady_ops"))
		require.Empty(t, b.tablesIn(t, "public"))
		v, err := tables.Version(ctx)
		require.NoError(t, err)
		require.Equal(t, bookkeeping.Latest(), v)
	})

	t.Run("LeaseTakenOneAtATimeOnAFreshDatabase", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		var held, most, firsts atomic.Int32
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				tables, err := bookkeeping.New(bookkeeping.Config{Pool: b.pooler, Schema: "leased"})
				if err != nil {
					errs[i] = err
					return
				}
				l, _, err := tables.AcquireLease(ctx, 10e9)
				if err != nil {
					errs[i] = err
					return
				}
				if l.First() {
					firsts.Add(1)
				}
				n := held.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				held.Add(-1)
				l.Release(ctx)
			})
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, int32(1), most.Load())
		require.Equal(t, int32(1), firsts.Load(), "one lease was taken with its table: the first ever")
		require.Equal(t, []string{"steady_migration_lease"}, b.tablesIn(t, "leased"))
	})
}

// TestUpgradeInPlace starts from the tables the release before the versioned set made, with
// rows, and runs the migration step twice.
func TestUpgradeInPlace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t)
	before, err := os.ReadFile("testdata/before_versions.sql")
	require.NoError(t, err)
	_, err = b.direct.Exec(ctx, string(before))
	require.NoError(t, err)
	_, err = b.direct.Exec(ctx, `CREATE TABLE notes (id bigint PRIMARY KEY)`)
	require.NoError(t, err)

	files := fstest.MapFS{"0001_create_notes.sql": {Data: []byte("CREATE TABLE notes (id bigint PRIMARY KEY);\n")}}
	run := func() *migrate.Result {
		m, err := migrate.New(migrate.Config{Pool: b.pooler, Migrations: files, SkipRiver: true, Tables: b.tables(t, "")})
		require.NoError(t, err)
		res, err := m.Migrate(ctx, migrate.Opts{})
		require.NoError(t, err)
		return res
	}
	run()

	require.Equal(t, append([]string{"schema_migrations"}, allTables...), b.tablesIn(t, "public"))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM steady_schema_versions WHERE version = 1 AND name = 'steady_tables'`))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM steady_migration_failures
		WHERE version = '0002' AND error = 'canceling statement due to lock timeout'`), "the failure is kept")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM steady_workers WHERE id = 'steady.before.7.0000abcd' AND dead_reason = 'stopped'`))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM steady_backfill_slices
		WHERE run_id = 1 AND state = 'paused' AND cursor_key = 500 AND lease = 3 AND throttled_s = '{"lock_waiters": 1.5}'`))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM steady_backfill_runs WHERE backfill = 'leads-last-call'`))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM steady_index_reloptions WHERE table_name = 'leads' AND parallel_workers = '4'`))
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM schema_migrations WHERE version = '0001' AND checksum = 'sha256:before'`),
		"the history keeps its name and rows")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM steady_migration_state`), "restamped in the renamed table")
	require.Equal(t, 3, b.count(t, `SELECT count(*) FROM pg_class
		WHERE relname IN ('steady_migration_failures_id_seq', 'steady_migration_failures_pkey', 'steady_migration_state_pkey')`),
		"the sequence and indexes follow their tables' names")
	var comment string
	require.NoError(t, b.direct.QueryRow(ctx, `SELECT obj_description('steady_backfill_runs'::regclass, 'pg_class')`).Scan(&comment))
	require.Equal(t, "steady: one row per run of a backfill", comment, "the old version comment is gone")

	// A new failure still gets an id after the kept one.
	_, err = b.direct.Exec(ctx, `INSERT INTO steady_migration_failures (version, name, statement, error) VALUES ('0003', 'x', '', 'e')`)
	require.NoError(t, err)
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM steady_migration_failures WHERE version = '0003' AND id = 2`))
	_, err = b.direct.Exec(ctx, `DELETE FROM steady_migration_failures WHERE version = '0003'`)
	require.NoError(t, err)

	// The second run changes nothing: same catalog, same rows.
	catalogBefore, err := catalog.Version(ctx, b.direct)
	require.NoError(t, err)
	res := run()
	catalogAfter, err := catalog.Version(ctx, b.direct)
	require.NoError(t, err)
	require.Equal(t, catalogBefore, catalogAfter)
	require.False(t, res.LockTaken)
	require.Equal(t, bookkeeping.Latest(), b.count(t, `SELECT count(*) FROM steady_schema_versions`))
}

func TestParseSchema(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"", "public", "steady", "Ops_2", "_x"} {
		s, err := bookkeeping.ParseSchema(ok)
		require.NoError(t, err, ok)
		require.NotEmpty(t, s.Name())
	}
	for _, bad := range []string{"1x", "a-b", `a"b`, "a.b", "pg_steady", "PG_x", "x y", string(make([]byte, 47))} {
		_, err := bookkeeping.ParseSchema(bad)
		var se *bookkeeping.SchemaError
		require.ErrorAs(t, err, &se, bad)
	}
	long := "s" + string(make([]byte, 0))
	for len(long) < bookkeeping.MaxSchemaLength {
		long += "s"
	}
	_, err := bookkeeping.ParseSchema(long)
	require.NoError(t, err)
	_, err = bookkeeping.ParseSchema(long + "s")
	require.Error(t, err)
}

func TestSchemaSQL(t *testing.T) {
	t.Parallel()
	s, err := bookkeeping.ParseSchema("ops")
	require.NoError(t, err)
	require.Equal(t, `"ops"."steady_workers"`, s.Table("steady_workers"))
	for in, want := range map[string]string{
		`SELECT id FROM steady_workers w`:                                          `SELECT id FROM "ops".steady_workers w`,
		"UPDATE river_job SET state = 'x'::river_job_state":                        `UPDATE "ops".river_job SET state = 'x'::"ops".river_job_state`,
		`INSERT INTO steady_workers ON CONFLICT ON CONSTRAINT steady_workers_pkey`: `INSERT INTO "ops".steady_workers ON CONFLICT ON CONSTRAINT steady_workers_pkey`,
		`SELECT * FROM public.river_job, "x".steady_workers`:                       `SELECT * FROM public.river_job, "x".steady_workers`,
		`SELECT 1 FROM schema_migrations_python`:                                   `SELECT 1 FROM schema_migrations_python`,
		"SELECT 1\nFROM schema_migrations h":                                       "SELECT 1\nFROM \"ops\".schema_migrations h",
		`SELECT * FROM goose_db_version`:                                           `SELECT * FROM goose_db_version`,
	} {
		require.Equal(t, want, s.SQL(in), in)
	}
}
