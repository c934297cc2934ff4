package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/redact"
	"github.com/steadydb/steady/migrations"
)

// requireNothingWritten fails when the database at url holds anything CREATE DATABASE did not
// give it: a relation outside the system schemas, or a schema of its own.
func requireNothingWritten(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var rels, schemas []string
	require.NoError(t, conn.QueryRow(ctx, `SELECT array(SELECT n.nspname || '.' || c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%')`).Scan(&rels))
	require.Empty(t, rels, "written to %s", redact.URL(url))
	require.NoError(t, conn.QueryRow(ctx, `SELECT array(SELECT nspname FROM pg_namespace
		WHERE nspname NOT IN ('public', 'pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_t%')`).Scan(&schemas))
	require.Empty(t, schemas, "a schema made in %s", redact.URL(url))
}

// doctorReport is what the identity tests read of steady doctor --json.
type doctorReport struct {
	MigrationRole string `json:"migration_role"`
	Reason        string `json:"reason"`
	Comparison    *struct {
		SameServer   bool     `json:"same_server"`
		SameDatabase bool     `json:"same_database"`
		Differences  []string `json:"differences"`
	} `json:"comparison"`
	Refused        string `json:"refused"`
	Direct, Pooler struct {
		Reachable bool   `json:"reachable"`
		ReadOnly  string `json:"read_only"`
		Identity  *struct {
			Database    string `json:"database"`
			DatabaseOID uint32 `json:"database_oid"`
			StartedAt   string `json:"server_started_at"`
			Port        int    `json:"server_port"`
			InRecovery  bool   `json:"in_recovery"`
		} `json:"identity"`
	}
}

func doctorJSONOf(t *testing.T, env []string) (doctorReport, result) {
	t.Helper()
	r := steady(t, env, "doctor", "--json")
	var rep doctorReport
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	return rep, r
}

// refusedEverywhere runs every command that writes through both roles, and status, with env:
// each must exit 2 with an error naming what is wrong, and print no secret.
func refusedEverywhere(t *testing.T, env []string, want ...string) {
	t.Helper()
	for _, args := range [][]string{{"migrate", "--strict"}, {"migrate"}, {"status"}, {"worker"}} {
		r := steady(t, append([]string{"STEADY_HTTP_ADDR=127.0.0.1:0", "STEADY_LOG_FORMAT=json"}, env...), args...)
		require.Equal(t, 2, r.code, "steady %v:\n%s", args, r.stderr)
		for _, w := range want {
			require.Contains(t, r.stderr, w, "steady %v", args)
		}
		requireNoSecret(t, r)
	}
}

// TestWrongDatabaseIsRefused: DIRECT and POOLER must reach one database of one server. An
// environment copied from somewhere else must not migrate one database and leave the workers on
// another: migrate, status and worker refuse before anything is written, and doctor shows why.
func TestWrongDatabaseIsRefused(t *testing.T) {
	t.Parallel()

	// With no DIRECT, migrate and status read what the POOLER reaches in their first round
	// trip, which only reads: the refusal still comes before anything is written.
	t.Run("PoolerAloneThatCannotWrite", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		admin, err := pgx.Connect(context.Background(), db.DirectURL)
		require.NoError(t, err)
		_, err = admin.Exec(context.Background(), "ALTER DATABASE "+pgx.Identifier{db.Name}.Sanitize()+" SET default_transaction_read_only = on")
		require.NoError(t, err)
		require.NoError(t, admin.Close(context.Background()))
		refusedEverywhere(t, []string{"DATABASE_URL_POOLER=" + db.PoolerURL},
			"POOLER ("+redact.URL(db.PoolerURL)+") reaches read-only sessions (default_transaction_read_only = on)", "nothing was written")
		requireNothingWritten(t, db.DirectURL)
	})

	t.Run("TwoDatabasesOfOneServer", func(t *testing.T) {
		t.Parallel()
		a, b := dbtest.New(t), dbtest.New(t)
		env := []string{"DATABASE_URL_DIRECT=" + a.DirectURL, "DATABASE_URL_POOLER=" + b.PoolerURL}
		refusedEverywhere(t, env, redact.URL(a.DirectURL), redact.URL(b.PoolerURL), "reach different databases",
			"database: DIRECT reaches "+a.Name, "POOLER "+b.Name)
		requireNothingWritten(t, a.DirectURL)
		requireNothingWritten(t, b.DirectURL)

		rep, r := doctorJSONOf(t, env)
		require.Equal(t, 2, r.code, r.stderr)
		require.NotNil(t, rep.Comparison)
		require.True(t, rep.Comparison.SameServer)
		require.False(t, rep.Comparison.SameDatabase)
		require.Contains(t, rep.Refused, "reach different databases")
		require.Equal(t, a.Name, rep.Direct.Identity.Database)
		require.Equal(t, b.Name, rep.Pooler.Identity.Database)
		require.NotEqual(t, rep.Direct.Identity.DatabaseOID, rep.Pooler.Identity.DatabaseOID)

		r = steady(t, env, "doctor")
		require.Equal(t, 2, r.code, r.stderr)
		require.Contains(t, r.stdout, "DIRECT and POOLER: DIFFERENT\n")
		require.Contains(t, r.stdout, "        database: DIRECT reaches "+a.Name)
		require.Contains(t, r.stdout, "REFUSED: migrate, status and worker exit 2")
		requireNoSecret(t, r)
		requireNothingWritten(t, a.DirectURL)
		requireNothingWritten(t, b.DirectURL)
	})

	t.Run("TwoServers", func(t *testing.T) {
		t.Parallel()
		other := dbtest.StartServer(t)
		directURL := other.CreateDatabase(t, "steady_elsewhere")
		b := dbtest.New(t)
		env := []string{"DATABASE_URL_DIRECT=" + directURL, "DATABASE_URL_POOLER=" + b.PoolerURL}
		refusedEverywhere(t, env, redact.URL(directURL), redact.URL(b.PoolerURL), "reach different databases",
			"server: DIRECT reaches the one started at ", "database: DIRECT reaches steady_elsewhere")
		requireNothingWritten(t, directURL)
		requireNothingWritten(t, b.DirectURL)

		rep, r := doctorJSONOf(t, env)
		require.Equal(t, 2, r.code, r.stderr)
		require.NotNil(t, rep.Comparison)
		require.False(t, rep.Comparison.SameServer)
		require.False(t, rep.Comparison.SameDatabase)
		require.NotEqual(t, rep.Direct.Identity.StartedAt, rep.Pooler.Identity.StartedAt)
	})

	t.Run("OneDatabaseIsShownAsOne", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		env := []string{"DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + db.PoolerURL}
		rep, r := doctorJSONOf(t, env)
		require.Equal(t, 0, r.code, r.stderr)
		require.NotNil(t, rep.Comparison)
		require.True(t, rep.Comparison.SameServer)
		require.True(t, rep.Comparison.SameDatabase)
		require.Empty(t, rep.Comparison.Differences)
		require.Empty(t, rep.Refused)
		r = steady(t, env, "doctor")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "DIRECT and POOLER: same database "+db.Name)
	})
}

// TestStandby uses a streaming standby of the test server: as DIRECT it is no place to migrate
// (the decision line says why, and migrations go through the POOLER); as POOLER nothing can
// run (migrate and worker refuse).
func TestStandby(t *testing.T) {
	t.Parallel()
	// Both databases exist before the copy, so the standby has them.
	viaPooler, refused := dbtest.New(t), dbtest.New(t)
	standby := dbtest.StartStandby(t)
	ms, err := migfiles.Load(migrations.FS)
	require.NoError(t, err)

	t.Run("AsDirectMigrationsGoThroughThePooler", func(t *testing.T) {
		t.Parallel()
		env := []string{"DATABASE_URL_DIRECT=" + standby.URL(viaPooler.Name), "DATABASE_URL_POOLER=" + viaPooler.PoolerURL,
			"STEADY_LOG_FORMAT=json"}
		r := steady(t, env, "migrate", "--strict")
		require.Equal(t, 0, r.code, r.stderr)
		var decided []map[string]any
		for _, e := range logLines(t, r.stderr) {
			if strings.HasPrefix(e["msg"].(string), "✅ Using") {
				decided = append(decided, e)
			}
		}
		require.Len(t, decided, 1, r.stderr)
		require.Equal(t, "✅ Using POOLER (DIRECT unavailable - locked)", decided[0]["msg"])
		require.Contains(t, decided[0]["reason"], "DIRECT reaches a hot standby")
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, viaPooler.DirectURL)
		require.NoError(t, err)
		defer conn.Close(ctx)
		var n int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n))
		require.Equal(t, len(ms), n, "migrated on the primary, through the POOLER")
		requireNoSecret(t, r)

		rep, r := doctorJSONOf(t, env)
		require.Equal(t, 0, r.code, r.stderr)
		require.Equal(t, "POOLER", rep.MigrationRole)
		require.Contains(t, rep.Reason, "hot standby")
		require.True(t, rep.Direct.Reachable)
		require.NotNil(t, rep.Direct.Identity)
		require.True(t, rep.Direct.Identity.InRecovery)
		require.Contains(t, rep.Direct.ReadOnly, "hot standby")
		require.False(t, rep.Pooler.Identity.InRecovery)
		r = steady(t, env, "doctor")
		require.Contains(t, r.stdout, "HOT STANDBY")
	})

	t.Run("AsPoolerEverythingIsRefused", func(t *testing.T) {
		t.Parallel()
		bouncer := dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{Server: standby.Addr()})
		poolerURL := bouncer.URL(t, refused.Name)
		env := []string{"DATABASE_URL_DIRECT=" + refused.DirectURL, "DATABASE_URL_POOLER=" + poolerURL}
		refusedEverywhere(t, env, "POOLER ("+redact.URL(poolerURL)+") reaches a hot standby")
		requireNothingWritten(t, refused.DirectURL)

		rep, r := doctorJSONOf(t, env)
		require.Equal(t, 2, r.code, r.stderr)
		require.NotNil(t, rep.Pooler.Identity)
		require.True(t, rep.Pooler.Identity.InRecovery)
		require.Contains(t, rep.Pooler.ReadOnly, "hot standby")
		require.Contains(t, rep.Refused, "hot standby")
	})
}
