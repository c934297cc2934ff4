package shadow_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/shadow"
)

func TestMain(m *testing.M) { dbtest.Main(m, "shadow") }

func migrationPool(t *testing.T, db *dbtest.DB) *dbconn.Pool {
	t.Helper()
	log, _ := dbtest.Logger(t)
	pools, err := dbconn.Open(context.Background(), dbconn.Config{PoolerURL: db.PoolerURL, Logger: log}, dbconn.OpenOpts{Migrate: true})
	require.NoError(t, err)
	t.Cleanup(pools.Close)
	return pools.Migration
}

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("CreatedThroughThePoolerAndDropped", func(t *testing.T) {
		t.Parallel()
		live := dbtest.New(t)
		pool := migrationPool(t, live)
		db, err := shadow.Open(ctx, shadow.Config{Server: pool, Live: pool})
		require.NoError(t, err)
		require.Contains(t, db.Where, "created through POOLER")
		var name string
		require.NoError(t, db.Conn.QueryRow(ctx, "SELECT current_database()").Scan(&name))
		require.Regexp(t, `^steady_shadow_[0-9a-f]{8}$`, name)
		_, err = db.Conn.Exec(ctx, "CREATE TABLE scratch (id int)")
		require.NoError(t, err)
		require.NoError(t, db.Close(ctx))
		var exists bool
		require.NoError(t, pool.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists))
		require.False(t, exists, "Close drops the database steady created")
	})

	t.Run("URLIsEmptiedFirst", func(t *testing.T) {
		t.Parallel()
		live, spare := dbtest.New(t), dbtest.New(t)
		conn, err := dbconn.Connect(ctx, "setup", spare.DirectURL)
		require.NoError(t, err)
		_, err = conn.Exec(ctx, `CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE TABLE public.u (id int);
			CREATE EXTENSION pgcrypto; CREATE PUBLICATION p FOR TABLE public.u`)
		require.NoError(t, err)
		require.NoError(t, conn.Close(ctx))

		db, err := shadow.Open(ctx, shadow.Config{URL: spare.PoolerURL, Live: migrationPool(t, live)})
		require.NoError(t, err)
		defer db.Close(ctx)
		require.NotContains(t, db.Where, "devpass", "the URL is shown redacted")
		var left int
		require.NoError(t, db.Conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM pg_namespace WHERE nspname IN ('app'))
			+ (SELECT count(*) FROM pg_class WHERE relname IN ('t', 'u'))
			+ (SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto')
			+ (SELECT count(*) FROM pg_publication)`).Scan(&left))
		require.Zero(t, left, "every schema's objects, extension and publication are gone")
		var public bool
		require.NoError(t, db.Conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'public')").Scan(&public))
		require.True(t, public, "public is made again")
	})

	t.Run("URLOfTheLiveDatabaseIsRefused", func(t *testing.T) {
		t.Parallel()
		live := dbtest.New(t)
		_, err := shadow.Open(ctx, shadow.Config{URL: live.DirectURL, Live: migrationPool(t, live)})
		var se *shadow.Error
		require.ErrorAs(t, err, &se)
		require.ErrorContains(t, err, "it is the database being migrated")
		require.NotContains(t, err.Error(), "devpass")
	})

	t.Run("URLWithSteadysTablesIsRefused", func(t *testing.T) {
		t.Parallel()
		live, other := dbtest.New(t), dbtest.New(t)
		conn, err := dbconn.Connect(ctx, "setup", other.DirectURL)
		require.NoError(t, err)
		_, err = conn.Exec(ctx, "CREATE TABLE steady_schema_versions (version int)")
		require.NoError(t, err)
		require.NoError(t, conn.Close(ctx))
		_, err = shadow.Open(ctx, shadow.Config{URL: other.PoolerURL, Live: migrationPool(t, live)})
		require.ErrorContains(t, err, "holds steady's or River's tables")
		var kept bool
		check, err := dbconn.Connect(ctx, "check", other.DirectURL)
		require.NoError(t, err)
		defer check.Close(ctx)
		require.NoError(t, check.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_class WHERE relname = 'steady_schema_versions')").Scan(&kept))
		require.True(t, kept, "nothing was dropped")
	})
}
