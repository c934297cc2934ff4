package wiring_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
)

// riverStart waits for River's start line and returns its poll_only and pool_mode.
func (b *workerBundle) riverStart(t *testing.T) (bool, string) {
	t.Helper()
	line := b.logs.wait(t, "River started on POOLER")
	pollOnly, ok := line["poll_only"].(bool)
	require.True(t, ok, "poll_only in %v", line)
	return pollOnly, fmt.Sprint(line["pool_mode"])
}

// requireWorksAJob inserts a job and waits for the worker to complete it. The worker completes
// its own jobs too (the catalog's index builds, enqueued at start), in any order.
func (b *workerBundle) requireWorksAJob(t *testing.T) {
	t.Helper()
	done, cancel := b.client.Subscribe(river.EventKindJobCompleted)
	defer cancel()
	res, err := b.client.Insert(context.Background(), opsArgs{}, nil)
	require.NoError(t, err)
	timeout := time.After(deadline)
	for {
		select {
		case ev := <-done:
			if ev.Job.ID == res.Job.ID {
				require.Equal(t, "steady_ops_test", ev.Job.Kind)
				return
			}
		case <-timeout:
			t.Fatalf("the job was never worked; logs:\n%s", b.logs.text())
		}
	}
}

// TestWorkerBehindABusyTransactionPooler: a PgBouncer with one server connection, kept busy by
// other clients while the worker starts, is still known for a transaction pooler; River polls,
// and the migration step, through the same POOLER, sets nothing on the session.
func TestWorkerBehindABusyTransactionPooler(t *testing.T) {
	t.Parallel()
	bouncer := dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{DefaultPoolSize: 1})
	b := startWorker(t, workerOpts{
		// Outside a transaction: the path that would SET lock_timeout on a session it owns.
		extra: []string{"-- steady:no-transaction\nCREATE INDEX CONCURRENTLY leads_pool_mode_idx ON leads (created_at);\n"},
		dbConfig: func(db *dbtest.DB) dbconn.Config {
			url := bouncer.URL(t, db.Name)
			dbtest.KeepBusy(t, url, 4)
			return dbconn.Config{PoolerURL: url} // no DIRECT: migrations go through the POOLER too
		},
	})
	b.waitStarted(t)

	pooler := b.logs.wait(t, "index builds, backfills and River use POOLER")
	require.Equal(t, "transaction", pooler["pool_mode"])
	require.Equal(t, "auto", pooler["pool_mode_setting"])
	require.Equal(t, true, pooler["detection_positive"], pooler)
	pollOnly, mode := b.riverStart(t)
	require.True(t, pollOnly)
	require.Equal(t, "transaction", mode)
	require.Equal(t, -1, b.logs.index("⚠️ pool mode setting contradicts the evidence"))

	rep := b.waitReadyz(t, http.StatusOK)
	require.Contains(t, checkOf(t, rep, "migrations").Reason, "1 applied")
	var valid bool
	direct, err := pgx.Connect(context.Background(), b.db.DirectURL)
	require.NoError(t, err)
	defer direct.Close(context.Background())
	require.NoError(t, direct.QueryRow(context.Background(),
		"SELECT indisvalid FROM pg_index WHERE indexrelid = 'leads_pool_mode_idx'::regclass").Scan(&valid))
	require.True(t, valid)
	b.requireWorksAJob(t)
}

func TestWorkerPoolerModeOverride(t *testing.T) {
	t.Parallel()

	t.Run("SessionForcedOnATransactionPoolerListensAndWarns", func(t *testing.T) {
		t.Parallel()
		bouncer := dbtest.StartPgBouncer(t, dbtest.PgBouncerConfig{DefaultPoolSize: 1})
		b := startWorker(t, workerOpts{dbConfig: func(db *dbtest.DB) dbconn.Config {
			return dbconn.Config{DirectURL: db.DirectURL, PoolerURL: bouncer.URL(t, db.Name), PoolerMode: "session"}
		}})
		b.waitStarted(t)
		pollOnly, mode := b.riverStart(t)
		require.False(t, pollOnly, "the operator said session")
		require.Equal(t, "session", mode)
		warning := b.logs.wait(t, "⚠️ pool mode setting contradicts the evidence")
		require.Contains(t, warning["warning"], "STEADY_POOLER_MODE=session, but the POOLER is a transaction pooler")
	})

	t.Run("TransactionForcedOnADirectServerPolls", func(t *testing.T) {
		t.Parallel()
		b := startWorker(t, workerOpts{dbConfig: func(db *dbtest.DB) dbconn.Config {
			return dbconn.Config{DirectURL: db.DirectURL, PoolerURL: db.DirectURL, PoolerMode: "transaction"}
		}})
		b.waitStarted(t)
		pollOnly, mode := b.riverStart(t)
		require.True(t, pollOnly, "the operator said transaction")
		require.Equal(t, "transaction", mode)
		warning := b.logs.wait(t, "⚠️ pool mode setting contradicts the evidence")
		require.Contains(t, warning["warning"], "answers as a direct server")
		b.requireWorksAJob(t)
	})

	t.Run("AutoOnADirectServerListens", func(t *testing.T) {
		t.Parallel()
		b := startWorker(t, workerOpts{dbConfig: func(db *dbtest.DB) dbconn.Config {
			return dbconn.Config{DirectURL: db.DirectURL, PoolerURL: db.DirectURL}
		}})
		b.waitStarted(t)
		pollOnly, mode := b.riverStart(t)
		require.False(t, pollOnly)
		require.Equal(t, "direct", mode)
		b.requireWorksAJob(t)
	})
}
