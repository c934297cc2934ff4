package backfills

import (
	"context"
	"testing"
	"time"

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
