package dbconn_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
)

func detect(t *testing.T, ctx context.Context, url string) dbconn.Detection {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	defer pool.Close()
	start := time.Now()
	d, err := dbconn.DetectPoolMode(ctx, pool)
	require.NoError(t, err)
	t.Logf("detected %s (positive %t) in %s: %s", d.Mode, d.Positive, time.Since(start).Round(time.Millisecond), d.Evidence)
	return d
}

func TestDetectPoolMode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("DirectIsShown", func(t *testing.T) {
		t.Parallel()
		d := detect(t, ctx, dbtest.New(t).DirectURL)
		require.Equal(t, dbconn.ModeDirect, d.Mode, d.Evidence)
		require.True(t, d.Positive)
		require.Contains(t, d.Evidence, "given at login")
	})

	t.Run("SharedPgBouncerIsTransaction", func(t *testing.T) {
		t.Parallel()
		// Shown when PgBouncer hands our second query the server of the first, assumed when
		// other tests keep it too busy to: transaction either way.
		d := detect(t, ctx, dbtest.New(t).PoolerURL)
		require.Equal(t, dbconn.ModeTransaction, d.Mode, d.Evidence)
	})

	t.Run("BusyPgBouncerWithOneServerIsShownTransaction", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		bouncer := dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{DefaultPoolSize: 1})
		dbtest.KeepBusy(t, bouncer.URL(t, db.Name), 4)
		d := detect(t, ctx, bouncer.URL(t, db.Name))
		require.Equal(t, dbconn.ModeTransaction, d.Mode, d.Evidence)
		require.True(t, d.Positive, d.Evidence)
		require.Contains(t, d.Evidence, "same backend")
	})

	// Poolers that do not hand out the last released server (Supavisor, PgCat; here PgBouncer
	// with server_round_robin) give two clients different backends every time. Detection used
	// to fall through to the port check and call that "session".
	t.Run("FirstInFirstOutPoolerIsAssumedTransaction", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		bouncer := dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{DefaultPoolSize: 4, ServerRoundRobin: true})
		url := bouncer.URL(t, db.Name)
		warmServers(t, url, 4)
		d := detect(t, ctx, url)
		require.Equal(t, dbconn.ModeTransaction, d.Mode, d.Evidence)
		require.False(t, d.Positive, d.Evidence)
		require.Contains(t, d.Evidence, "different backends")
		require.Contains(t, d.Evidence, "at login")
	})

	t.Run("SessionPoolerIsNeverConcludedSession", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		bouncer := dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{PoolMode: "session", DefaultPoolSize: 4})
		d := detect(t, ctx, bouncer.URL(t, db.Name))
		require.Equal(t, dbconn.ModeTransaction, d.Mode, d.Evidence)
		require.False(t, d.Positive, d.Evidence)
	})

	t.Run("UnfinishedDetectionIsAssumedTransaction", func(t *testing.T) {
		t.Parallel()
		db := dbtest.New(t)
		bouncer := dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{DefaultPoolSize: 1})
		url := bouncer.URL(t, db.Name)
		// An open transaction holds the only server connection: detection's queries wait.
		holder, err := pgx.Connect(ctx, url)
		require.NoError(t, err)
		defer holder.Close(ctx)
		tx, err := holder.Begin(ctx)
		require.NoError(t, err)
		defer tx.Rollback(ctx) //nolint:errcheck
		_, err = tx.Exec(ctx, "SELECT 1")
		require.NoError(t, err)

		pool, err := pgxpool.New(ctx, url)
		require.NoError(t, err)
		defer pool.Close()
		short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		d, err := dbconn.DetectPoolMode(short, pool)
		require.NoError(t, err)
		// Let the abandoned queries through, so the pool closes without waiting on them.
		require.NoError(t, tx.Rollback(ctx))
		require.Equal(t, dbconn.ModeTransaction, d.Mode, d.Evidence)
		require.False(t, d.Positive)
		require.Contains(t, d.Evidence, "did not finish")
	})

	t.Run("UnreachableIsAnError", func(t *testing.T) {
		t.Parallel()
		pool, err := pgxpool.New(ctx, refusedURL(t))
		require.NoError(t, err)
		defer pool.Close()
		_, err = dbconn.DetectPoolMode(ctx, pool)
		require.ErrorContains(t, err, "refused")
	})
}

// warmServers makes the pooler open n server connections: n clients each hold one in an open
// transaction until all of them have one.
func warmServers(t *testing.T, url string, n int) {
	t.Helper()
	ctx := context.Background()
	var txs []pgx.Tx
	for range n {
		conn, err := pgx.Connect(ctx, url)
		require.NoError(t, err)
		defer conn.Close(ctx)
		tx, err := conn.Begin(ctx)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, "SELECT 1")
		require.NoError(t, err)
		txs = append(txs, tx)
	}
	for _, tx := range txs {
		require.NoError(t, tx.Commit(ctx))
	}
}

func slogTo(w *dbtest.LogBuffer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

func TestPoolerModeSetting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	open := func(t *testing.T, url, setting string, detect bool) (*dbconn.Pool, *dbtest.LogBuffer) {
		t.Helper()
		logs := &dbtest.LogBuffer{}
		pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: url, PoolerMode: setting, Logger: slogTo(logs)},
			dbconn.OpenOpts{Detect: detect})
		require.NoError(t, err)
		t.Cleanup(pools.Close)
		return pools.Pooler, logs
	}
	// One PgBouncer with a single server: its transaction pooling is always shown.
	db := dbtest.New(t)
	bouncer := dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{DefaultPoolSize: 1})
	pooler := bouncer.URL(t, db.Name)

	t.Run("AutoActsOnTheEvidence", func(t *testing.T) {
		p, _ := open(t, pooler, "", true)
		require.Equal(t, dbconn.ModeAuto, p.Setting)
		require.Equal(t, dbconn.ModeTransaction, p.Mode)
		require.True(t, p.Detection.Positive)
		require.True(t, p.Pooled())
		require.Empty(t, p.Warning)

		p, _ = open(t, db.DirectURL, "auto", true)
		require.Equal(t, dbconn.ModeDirect, p.Mode)
		require.False(t, p.Pooled())
	})

	t.Run("SessionForcedOnATransactionPoolerWarns", func(t *testing.T) {
		p, logs := open(t, pooler, "session", true)
		require.Equal(t, dbconn.ModeSession, p.Mode, "the operator's word is the mode in force")
		require.False(t, p.Pooled())
		require.Equal(t, dbconn.ModeTransaction, p.Detection.Mode)
		require.Contains(t, p.Warning, "STEADY_POOLER_MODE=session, but the POOLER is a transaction pooler")
		require.Contains(t, logs.String(), "pool mode setting contradicts the evidence")
	})

	t.Run("TransactionForcedOnADirectServerWarns", func(t *testing.T) {
		p, _ := open(t, db.DirectURL, "transaction", true)
		require.Equal(t, dbconn.ModeTransaction, p.Mode)
		require.True(t, p.Pooled())
		require.Equal(t, dbconn.ModeDirect, p.Detection.Mode)
		require.Contains(t, p.Warning, "answers as a direct server")
	})

	t.Run("SessionForcedOnADirectServerIsQuiet", func(t *testing.T) {
		// Both keep session state: nothing contradicts the setting.
		p, _ := open(t, db.DirectURL, "session", true)
		require.Equal(t, dbconn.ModeSession, p.Mode)
		require.Empty(t, p.Warning)
	})

	t.Run("WithoutDetectionTheSettingHolds", func(t *testing.T) {
		for setting, want := range map[string]struct {
			mode   dbconn.PoolMode
			pooled bool
		}{"auto": {dbconn.ModeUnknown, true}, "transaction": {dbconn.ModeTransaction, true}, "session": {dbconn.ModeSession, false}} {
			p, _ := open(t, pooler, setting, false)
			require.Nil(t, p.Detection)
			require.Equal(t, want.mode, p.Mode, setting)
			require.Equal(t, want.pooled, p.Pooled(), setting)
		}
	})

	t.Run("BadSettingNamesTheVariable", func(t *testing.T) {
		_, err := dbconn.NewResolver(dbconn.Config{PoolerURL: pooler, PoolerMode: "statement"})
		var se *dbconn.SettingError
		require.ErrorAs(t, err, &se)
		require.EqualError(t, err, `--pooler-mode / STEADY_POOLER_MODE="statement": want auto, transaction or session`)
	})

	t.Run("DoctorShowsEvidenceAndWarning", func(t *testing.T) {
		rep, err := dbconn.Diagnose(ctx, dbconn.Config{PoolerURL: pooler, PoolerMode: "session", Logger: slogTo(&dbtest.LogBuffer{})})
		require.NoError(t, err)
		require.True(t, rep.Pooler.Reachable)
		require.Equal(t, dbconn.ModeSession, rep.Pooler.PoolMode)
		require.Equal(t, dbconn.ModeSession, rep.Pooler.PoolModeSetting)
		require.Equal(t, dbconn.ModeTransaction, rep.Pooler.Detected.Mode)
		require.True(t, rep.Pooler.Detected.Positive)
		require.Contains(t, rep.Pooler.Detected.Evidence, "same backend")
		require.Contains(t, rep.Pooler.Warning, "transaction pooler")
	})
}
