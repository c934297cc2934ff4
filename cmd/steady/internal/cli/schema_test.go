package cli

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
)

// steadyTables lists the tables of a schema that are steady's or River's.
func steadyTables(t *testing.T, db *dbtest.DB, schema string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.DirectURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
		  AND (c.relname LIKE 'steady\_%' OR c.relname LIKE 'river\_%' OR c.relname LIKE 'schema\_migrations%')
		ORDER BY 1`, schema)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

// TestMigrateAndWorkerInAnotherSchema runs the migration step, a worker and its work with
// STEADY_SCHEMA set: steady's tables and River's are all there, none in public, and the
// product's own tables are where its migrations put them.
func TestMigrateAndWorkerInAnotherSchema(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	env := []string{"DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + db.PoolerURL, "STEADY_SCHEMA=steady_ops"}

	r := steady(t, env, "migrate", "--strict")
	require.Equal(t, exitOK, r.code, r.stderr)
	r = steady(t, env, "migrate", "--strict")
	require.Equal(t, exitOK, r.code, r.stderr)
	require.Contains(t, r.stderr, "catalog and files unchanged", "the no-op run reads the stamp in steady_ops")

	worker := start(t, append([]string{"STEADY_HTTP_ADDR=127.0.0.1:0", "STEADY_LOG_FORMAT=json",
		"STEADY_BACKFILL_ON_START=none"}, env...), "worker")
	waitFor(t, worker.stderr.Reader(), func(m string) bool { return m == "River started on POOLER" })

	// Work through River in steady_ops: a backfill run, done by the worker.
	r = steady(t, env, "backfill", "enqueue", "leads_last_call", "--wait")
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	r = steady(t, env, "backfill", "status", "leads_last_call", "--json")
	require.Equal(t, exitOK, r.code, r.stdout+r.stderr)
	require.Contains(t, r.stdout, `"state": "done"`)
	r = steady(t, env, "doctor", "--json")
	require.Contains(t, r.stdout, `"alive": [`)
	require.NotContains(t, r.stdout, `"alive": []`, "the worker is registered in steady_ops")

	got := steadyTables(t, db, "steady_ops")
	for _, want := range []string{"schema_migrations", "steady_backfill_runs", "steady_backfill_slices", "steady_index_reloptions",
		"steady_migration_failures", "steady_migration_lease", "steady_migration_state", "steady_schema_versions", "steady_shadow_states", "steady_workers",
		"river_job", "river_leader", "river_migration", "river_queue"} {
		require.Contains(t, got, want)
	}
	require.Empty(t, steadyTables(t, db, "public"))
}

func TestMigrateRefusesABadSchemaName(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	for _, bad := range []string{"pg_steady", "steady-ops", `a"b`} {
		r := steady(t, []string{"DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + db.PoolerURL, "STEADY_SCHEMA=" + bad}, "migrate")
		require.Equal(t, exitUsage, r.code, r.stderr)
		require.Contains(t, r.stderr, "STEADY_SCHEMA", bad)
	}
	require.Empty(t, steadyTables(t, db, "public"), "nothing written")
}
