package tuning_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"strings"
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
		db, pool := setup(t, map[string]string{"statement_timeout": "30s", "maintenance_work_mem": "16MB", "max_parallel_maintenance_workers": "2"})
		dbName := pgx.Identifier{db.Name}.Sanitize()
		fs, err := tuning.Check(ctx, pool, tuning.Opts{IndexParallelWorkers: -1})
		require.NoError(t, err)
		got := byName(fs)
		require.Len(t, fs, 4)

		st := got["statement_timeout"]
		require.False(t, st.OK)
		require.Equal(t, "30s", st.Value)
		require.Equal(t, "database", st.Source)
		require.Equal(t, "ALTER DATABASE "+dbName+" SET statement_timeout", st.SetBy)
		require.Contains(t, st.Why, "INVALID index")
		// The database's setting stays for the application's roles; steady's role in it gets 0.
		require.Equal(t, `ALTER ROLE "steady" IN DATABASE `+dbName+` SET statement_timeout = 0 (or give DATABASE_URL_POOLER a role of its own); PgBouncer's server connections take it when they reconnect`, st.Fix)

		mem := got["maintenance_work_mem"]
		require.False(t, mem.OK)
		require.Equal(t, "16MB", mem.Value)
		require.Contains(t, mem.Fix, `ALTER ROLE "steady" IN DATABASE `+dbName+` SET maintenance_work_mem = '256MB'`)

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

// TestOrigin sets statement_timeout each way an operator can, reads where it comes from, runs
// the fix it names and checks that steady's role then gets 0 while other roles keep the setting.
func TestOrigin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, tc := range map[string]struct {
		set        string // {db} the database, {role} the role; "" leaves the default
		source     string
		where      string
		fix        string
		othersKeep bool // a role other than steady's keeps the setting after the fix
	}{
		"Default": {"", "default", "PostgreSQL's default", `ALTER ROLE {role} SET statement_timeout = 0`, false},
		"AlterDatabase": {"ALTER DATABASE {db} SET statement_timeout = '50ms'", "database", "ALTER DATABASE {db} SET statement_timeout",
			`ALTER ROLE {role} IN DATABASE {db} SET statement_timeout = 0`, true},
		"AlterRoleInDatabase": {"ALTER ROLE {role} IN DATABASE {db} SET statement_timeout = '50ms'", "database user",
			"ALTER ROLE {role} IN DATABASE {db} SET statement_timeout", `ALTER ROLE {role} IN DATABASE {db} SET statement_timeout = 0`, false},
		"AlterRole": {"ALTER ROLE {role} SET statement_timeout = '50ms'", "user", "ALTER ROLE {role} SET statement_timeout",
			`ALTER ROLE {role} SET statement_timeout = 0`, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := dbtest.New(t)
			admin, err := pgx.Connect(ctx, db.DirectURL)
			require.NoError(t, err)
			defer admin.Close(ctx)
			// A role of the test's own: ALTER ROLE on the shared test user would reach every test.
			role, roleURL := testRole(t, admin, db)
			names := strings.NewReplacer("{db}", pgx.Identifier{db.Name}.Sanitize(), "{role}", pgx.Identifier{role}.Sanitize())
			if tc.set != "" {
				_, err = admin.Exec(ctx, names.Replace(tc.set))
				require.NoError(t, err)
			}
			timeoutOf := func(url string) string {
				conn, err := pgx.Connect(ctx, url)
				require.NoError(t, err)
				defer conn.Close(ctx)
				var v string
				require.NoError(t, conn.QueryRow(ctx, "SHOW statement_timeout").Scan(&v))
				return v
			}

			conn, err := pgx.Connect(ctx, roleURL)
			require.NoError(t, err)
			o, err := tuning.ReadOrigin(ctx, conn, "statement_timeout")
			conn.Close(ctx)
			require.NoError(t, err)
			require.Equal(t, tc.source, o.Source)
			require.Equal(t, names.Replace(tc.where), o.Where())
			fix := o.Fix("0")
			require.Equal(t, names.Replace(tc.fix), fix)

			if tc.source == "database user" {
				// What steady used to advise whatever the source: it does not override this one.
				_, err = admin.Exec(ctx, names.Replace("ALTER ROLE {role} SET statement_timeout = 0"))
				require.NoError(t, err)
				require.Equal(t, "50ms", timeoutOf(roleURL), "ALTER ROLE … SET is not enough")
			}
			before := timeoutOf(db.DirectURL) // the shared test user, standing for the application's role
			_, err = admin.Exec(ctx, fix)
			require.NoError(t, err)
			require.Equal(t, "0", timeoutOf(roleURL), "the fix gives steady's role no timeout")
			if tc.othersKeep {
				require.Equal(t, "50ms", before)
				require.Equal(t, before, timeoutOf(db.DirectURL), "the application's role keeps its timeout")
			}
		})
	}
}

// testRole creates a login role for the test, dropped when it ends, and returns its name and a
// URL of db as that role.
func testRole(t *testing.T, admin *pgx.Conn, db *dbtest.DB) (string, string) {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	role, password := "tuning_"+hex.EncodeToString(b), hex.EncodeToString(b)
	_, err := admin.Exec(ctx, "CREATE ROLE "+role+" LOGIN PASSWORD '"+password+"'")
	require.NoError(t, err)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), db.DirectURL)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		// Its settings in the test's database go with the database; its own with it.
		_, _ = conn.Exec(context.Background(), "DROP ROLE IF EXISTS "+role)
	})
	u, err := url.Parse(db.DirectURL)
	require.NoError(t, err)
	u.User = url.UserPassword(role, password)
	return role, u.String()
}
