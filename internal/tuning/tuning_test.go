package tuning_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/tuning"
)

// setup makes the test's database with settings (ALTER DATABASE … SET, before the pooler
// connects, so that its server connections start with them) and returns a POOLER pool.
func setup(t *testing.T, settings map[string]string) (*dbtest.DB, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	db := dbtest.New(t)
	direct, err := pgx.Connect(ctx, db.DirectURL)
	require.NoError(t, err)
	defer direct.Close(ctx)
	for name, value := range settings {
		_, err := direct.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{db.Name}.Sanitize()+" SET "+name+" = '"+value+"'")
		require.NoError(t, err)
	}
	pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: db.PoolerURL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, dbconn.OpenOpts{})
	require.NoError(t, err)
	t.Cleanup(pools.Close)
	return db, pools.Pooler.Pool
}

func byName(fs []tuning.Finding) map[string]tuning.Finding {
	out := map[string]tuning.Finding{}
	for _, f := range fs {
		out[f.Setting] = f
	}
	return out
}

func TestCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("SettingsThatHurtTheApplicationSayWhatToRun", func(t *testing.T) {
		t.Parallel()
		_, pool := setup(t, map[string]string{"statement_timeout": "30s", "maintenance_work_mem": "16MB", "max_parallel_maintenance_workers": "2"})
		fs, err := tuning.Check(ctx, pool, tuning.Opts{IndexParallelWorkers: -1})
		require.NoError(t, err)
		got := byName(fs)
		require.Len(t, fs, 4)

		st := got["statement_timeout"]
		require.False(t, st.OK)
		require.Equal(t, "30s", st.Value)
		require.Equal(t, "database", st.Source)
		require.Contains(t, st.Why, "INVALID index")
		require.Equal(t, `ALTER ROLE "steady" SET statement_timeout = 0 (or give DATABASE_URL_POOLER a role of its own); PgBouncer's server connections take it when they reconnect`, st.Fix)

		mem := got["maintenance_work_mem"]
		require.False(t, mem.OK)
		require.Equal(t, "16MB", mem.Value)
		require.Contains(t, mem.Fix, `ALTER ROLE "steady" SET maintenance_work_mem = '256MB'`)

		par := got["max_parallel_maintenance_workers"]
		require.False(t, par.OK, "steady leaves tables alone: its builds use the server's parallel workers")
		require.Equal(t, "2", par.Value)
		require.Contains(t, par.Fix, "STEADY_INDEX_PARALLEL_WORKERS=0")

		require.True(t, got["pg_read_all_stats"].OK, "the test role is a superuser")
	})

	t.Run("DefaultsAreFine", func(t *testing.T) {
		t.Parallel()
		_, pool := setup(t, map[string]string{"max_parallel_maintenance_workers": "2"})
		fs, err := tuning.Check(ctx, pool, tuning.Opts{})
		require.NoError(t, err)
		for _, f := range fs {
			require.True(t, f.OK, "%s = %s: %s", f.Setting, f.Value, f.Fix)
			require.Empty(t, f.Fix)
			require.NotEmpty(t, f.Why)
		}
		require.Contains(t, byName(fs)["max_parallel_maintenance_workers"].Why, "set the table's parallel_workers to 0")
		require.Equal(t, "0", byName(fs)["statement_timeout"].Value)
	})

	t.Run("ARoleThatCannotSeeOtherSessions", func(t *testing.T) {
		t.Parallel()
		db, _ := setup(t, nil)
		admin, err := pgx.Connect(ctx, db.DirectURL)
		require.NoError(t, err)
		defer admin.Close(ctx)
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		role, password := "tuning_"+hex.EncodeToString(b), hex.EncodeToString(b)
		_, err = admin.Exec(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD '"+password+"'")
		require.NoError(t, err)
		t.Cleanup(func() {
			_, _ = admin.Exec(context.Background(), "DROP ROLE IF EXISTS "+role)
		})
		u, err := url.Parse(db.DirectURL)
		require.NoError(t, err)
		u.User = url.UserPassword(role, password)
		conn, err := pgx.Connect(ctx, u.String())
		require.NoError(t, err)
		fs, err := tuning.Check(ctx, conn, tuning.Opts{})
		conn.Close(ctx)
		require.NoError(t, err)
		f := byName(fs)["pg_read_all_stats"]
		require.False(t, f.OK)
		require.Equal(t, `GRANT pg_read_all_stats TO "`+role+`"`, f.Fix)
		require.Contains(t, f.Why, "run at full speed")
	})
}
