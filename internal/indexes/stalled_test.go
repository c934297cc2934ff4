package indexes_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/indexes"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/workers"
)

func TestMarkStalled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigrated(t)
	pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: db.PoolerURL}, dbconn.OpenOpts{})
	require.NoError(t, err)
	t.Cleanup(pools.Close)
	pool := pools.Pooler
	client, err := river.NewClient(riverpgxv5.New(pool.Pool), &river.Config{})
	require.NoError(t, err)
	_, err = indexes.Enqueue(ctx, workers.IndexBuildJobs{Client: client}, pool, catalogfiles.ShippedIndexes(), indexes.EnqueueOpts{Tables: []string{"leads"}})
	require.NoError(t, err)
	// Enqueued a minute ago; no worker has ever run.
	_, err = pool.Exec(ctx, `UPDATE river_job SET created_at = now() - interval '1 minute', scheduled_at = now() - interval '1 minute'`)
	require.NoError(t, err)
	leads, _ := catalogfiles.ShippedIndexes().OnTable("leads")

	read := func(after time.Duration) (liveness.Census, []indexes.Status) {
		t.Helper()
		status, err := indexes.ReadStatus(ctx, pool, catalogfiles.ShippedIndexes())
		require.NoError(t, err)
		census, err := liveness.Read(ctx, pool, bookkeeping.Schema{})
		require.NoError(t, err)
		require.NoError(t, indexes.MarkStalled(ctx, pool, bookkeeping.Schema{}, status, census, after))
		return census, status
	}
	stalled := func(status []indexes.Status) []indexes.Status {
		var out []indexes.Status
		for _, st := range status {
			if st.State == indexes.Stalled {
				out = append(out, st)
			}
		}
		return out
	}

	t.Run("NobodyWorksTheBuild", func(t *testing.T) {
		_, status := read(30 * time.Second)
		got := stalled(status)
		require.Len(t, got, len(leads), "leads' indexes, and not those of tables nobody asked to build")
		for _, st := range got {
			require.Equal(t, "leads", st.Table)
			require.Equal(t, indexes.Missing, st.IndexState)
			require.WithinDuration(t, time.Now().Add(-time.Minute), *st.StalledSince, 30*time.Second)
			require.Contains(t, st.Detail, "missing; nothing has built it since ")
			require.Contains(t, st.Detail, "waits and no worker is running: start steady worker")
		}
	})

	t.Run("WithinTheBound", func(t *testing.T) {
		_, status := read(time.Hour)
		require.Empty(t, stalled(status))
	})

	t.Run("ALiveWorkerWillPickItUp", func(t *testing.T) {
		h, err := liveness.New(liveness.Config{Pool: pool.Pool, Interval: time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		require.NoError(t, err)
		require.NoError(t, h.Start(ctx))
		defer func() { require.NoError(t, h.Stop(ctx)) }()
		census, status := read(30 * time.Second)
		require.Len(t, census.Alive, 1)
		require.Empty(t, stalled(status))
	})
}
