package backfills

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
)

// A WAL archiver streaming from the server (pg_receivewal, barman, pg_basebackup while it runs)
// never replays, so pg_stat_replication shows its replay_lag growing for as long as it streams:
// it is no replica that backfills must wait for, or they would wait for as long as it runs.
func TestReplicaLagIgnoresWALArchivers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.New(t)
	pools, direct := dbtest.Open(t, db, nil)
	receiver := dbtest.StartWALReceiver(t)
	var lag time.Duration
	deadline := time.Now().Add(time.Minute)
	for lag <= 3*time.Second { // its lag grows with each status report, once a second
		require.True(t, time.Now().Before(deadline), "the server never reported the receiver's lag")
		if gone, why := receiver.Exited(); gone {
			t.Fatalf("the WAL receiver stopped: %s", why)
		}
		var seconds float64
		require.NoError(t, direct.QueryRow(ctx, `SELECT coalesce(extract(epoch FROM replay_lag), 0)::float8
			FROM pg_stat_replication WHERE application_name = $1`, receiver.Name).Scan(&seconds))
		lag = time.Duration(seconds * float64(time.Second))
		time.Sleep(50 * time.Millisecond) // polls the server's view; the report is the event
	}
	h := readHealth(ctx, pools.Pooler.Pool, "leads")
	require.NoError(t, h.checkFailed)
	require.Less(t, h.ReplicaLag, lag, "the archiver's lag (%s) is not a replica's", lag)
}

// pg_locks is the whole server's, and a relation's OID repeats across databases copied from one
// template: a lock queue on the same OID in another database is no reason to hold a backfill
// back here.
func TestLockWaitersCountOnlyThisDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	here, there := dbtest.NewMigrated(t), dbtest.NewMigrated(t)
	herePools, hereDirect := dbtest.Open(t, here, nil)
	therePools, thereDirect := dbtest.Open(t, there, nil)
	oid := func(pool *pgxpool.Pool) (o uint32) {
		require.NoError(t, pool.QueryRow(ctx, `SELECT 'leads'::regclass::oid`).Scan(&o))
		return o
	}
	require.Equal(t, oid(hereDirect), oid(thereDirect), "copies of one template share the table's OID")

	holder, err := thereDirect.Acquire(ctx)
	require.NoError(t, err)
	defer holder.Release()
	_, err = holder.Exec(ctx, "BEGIN; LOCK TABLE leads IN ACCESS EXCLUSIVE MODE")
	require.NoError(t, err)
	waited := make(chan error, 1)
	go func() {
		_, err := thereDirect.Exec(ctx, "SELECT count(*) FROM leads") // queues behind the holder
		waited <- err
	}()
	deadline := time.Now().Add(time.Minute)
	for h := readHealth(ctx, therePools.Pooler.Pool, "leads"); h.Waiters != 1; h = readHealth(ctx, therePools.Pooler.Pool, "leads") {
		require.NoError(t, h.checkFailed)
		select {
		case err := <-waited:
			t.Fatalf("the reader did not wait for the lock: %v", err)
		default:
		}
		require.True(t, time.Now().Before(deadline), "the waiter never showed in its own database")
		time.Sleep(20 * time.Millisecond) // polls the server's view; the queued lock is the event
	}

	h := readHealth(ctx, herePools.Pooler.Pool, "leads")
	require.NoError(t, h.checkFailed)
	require.Zero(t, h.Waiters, "a waiter in database %s counted in %s", there.Name, here.Name)

	_, err = holder.Exec(ctx, "ROLLBACK")
	require.NoError(t, err)
	require.NoError(t, <-waited)
}
