package cli

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
)

// TestDoctorPoolMode: doctor shows the setting, what detection concluded and why, the mode in
// force, and a warning where the evidence contradicts the setting.
func TestDoctorPoolMode(t *testing.T) {
	t.Parallel()
	db := dbtest.New(t)
	// One server connection: PgBouncer's transaction pooling always shows.
	bouncer := dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{DefaultPoolSize: 1})
	pooler := bouncer.URL(t, db.Name)

	t.Run("AutoShowsTheEvidence", func(t *testing.T) {
		t.Parallel()
		r := steady(t, []string{"DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + pooler}, "doctor")
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stdout, "pool mode in force: transaction (setting auto)")
		require.Contains(t, r.stdout, "detected: transaction (shown): two open client connections ran on the same backend")
		require.Contains(t, r.stdout, "detected: direct (shown)")
		require.NotContains(t, r.stdout, "WARNING")
		requireNoSecret(t, r)
	})

	t.Run("SessionForcedOnATransactionPoolerWarns", func(t *testing.T) {
		t.Parallel()
		r := steady(t, []string{"DATABASE_URL_POOLER=" + pooler, "STEADY_POOLER_MODE=session"}, "doctor")
		require.Equal(t, 0, r.code, "a warning is not a failure: %s", r.stderr)
		require.Contains(t, r.stdout, "pool mode in force: session (setting session)")
		require.Contains(t, r.stdout, "WARNING: STEADY_POOLER_MODE=session, but the POOLER is a transaction pooler")
		requireNoSecret(t, r)
	})

	t.Run("TransactionForcedByFlagOnDirectJSON", func(t *testing.T) {
		t.Parallel()
		r := steady(t, []string{"DATABASE_URL_POOLER=" + db.DirectURL}, "doctor", "--json", "--pooler-mode", "transaction")
		require.Equal(t, 0, r.code, r.stderr)
		var rep struct {
			Pooler struct {
				PoolMode        string `json:"pool_mode"`
				PoolModeSetting string `json:"pool_mode_setting"`
				Detected        struct {
					Mode     string `json:"mode"`
					Positive bool   `json:"positive"`
					Evidence string `json:"evidence"`
				} `json:"detected"`
				Warning string `json:"warning"`
			} `json:"pooler"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), r.stdout)
		require.Equal(t, "transaction", rep.Pooler.PoolMode)
		require.Equal(t, "transaction", rep.Pooler.PoolModeSetting)
		require.Equal(t, "direct", rep.Pooler.Detected.Mode)
		require.True(t, rep.Pooler.Detected.Positive)
		require.Contains(t, rep.Pooler.Detected.Evidence, "given at login")
		require.Contains(t, rep.Pooler.Warning, "answers as a direct server")
		requireNoSecret(t, r)
	})

	t.Run("BadSettingIsUsage", func(t *testing.T) {
		t.Parallel()
		for _, args := range [][]string{{"doctor"}, {"worker"}, {"migrate"}} {
			r := steady(t, []string{"DATABASE_URL_POOLER=" + pooler, "STEADY_POOLER_MODE=statement"}, args...)
			require.Equal(t, 2, r.code, "%v: %s", args, r.stderr)
			require.Contains(t, r.stderr, `STEADY_POOLER_MODE="statement": want auto, transaction or session`)
			requireNoSecret(t, r)
		}
	})

	t.Run("HelpNamesTheSetting", func(t *testing.T) {
		t.Parallel()
		for _, cmd := range []string{"doctor", "worker", "migrate", "status"} {
			h := steady(t, nil, "help", cmd)
			require.Equal(t, 0, h.code)
			require.Contains(t, h.stdout, "STEADY_POOLER_MODE", cmd)
			require.Contains(t, h.stdout, "-pooler-mode", cmd)
		}
	})
}

// TestDoctorNamesWhatSetATimeout: a statement_timeout set by ALTER DATABASE is shown as such,
// with the statement that lifts it for steady's role only.
func TestDoctorNamesWhatSetATimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	conn, err := pgx.Connect(ctx, db.DirectURL)
	require.NoError(t, err)
	name := pgx.Identifier{db.Name}.Sanitize()
	_, err = conn.Exec(ctx, "ALTER DATABASE "+name+" SET statement_timeout = '50ms'")
	require.NoError(t, conn.Close(ctx))
	require.NoError(t, err)
	r := steady(t, []string{"DATABASE_URL_DIRECT=" + db.DirectURL, "DATABASE_URL_POOLER=" + db.PoolerURL}, "doctor")
	require.Equal(t, 0, r.code, "a setting to fix is a warning: %s", r.stderr)
	require.Contains(t, r.stdout, "  WARN statement_timeout = 50ms (set by ALTER DATABASE "+name+" SET statement_timeout): ")
	require.Contains(t, r.stdout, `       fix: ALTER ROLE "steady" IN DATABASE `+name+` SET statement_timeout = 0 (`)
}
