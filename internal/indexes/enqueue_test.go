package indexes_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/indexes"
	"github.com/steadydb/steady/jobs"
	"github.com/steadydb/steady/workers"
)

func TestEnqueueIndexBuilds(t *testing.T) {
	t.Parallel()

	setup := func(t *testing.T) (context.Context, *dbconn.Pool, *river.Client[pgx.Tx]) {
		t.Helper()
		db := dbtest.NewMigrated(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		t.Cleanup(cancel)
		pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: db.PoolerURL}, dbconn.OpenOpts{})
		require.NoError(t, err)
		t.Cleanup(pools.Close)
		// Insert-only, as steady indexes build: no worker runs.
		client, err := river.NewClient(riverpgxv5.New(pools.Pooler.Pool), &river.Config{})
		require.NoError(t, err)
		return ctx, pools.Pooler, client
	}

	t.Run("TwiceYieldsOneJobPerTable", func(t *testing.T) {
		t.Parallel()
		ctx, pool, client := setup(t)
		c := catalogfiles.ShippedIndexes()

		first, err := indexes.Enqueue(ctx, workers.IndexBuildJobs{Client: client}, pool, c, indexes.EnqueueOpts{})
		require.NoError(t, err)
		require.Len(t, first, len(c.Tables()))
		for _, e := range first {
			require.Equal(t, indexes.EnqueueInserted, e.Action, e.Table)
		}
		second, err := indexes.Enqueue(ctx, workers.IndexBuildJobs{Client: client}, pool, c, indexes.EnqueueOpts{RetryWaiting: true})
		require.NoError(t, err)
		for i, e := range second {
			require.Equal(t, indexes.EnqueueDuplicate, e.Action, e.Table)
			require.Equal(t, first[i].JobID, e.JobID)
		}

		var n int
		require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM river_job WHERE kind = $1", jobs.IndexBuildArgs{}.Kind()).Scan(&n))
		require.Equal(t, len(c.Tables()), n)
		var queue string
		require.NoError(t, pool.QueryRow(ctx, "SELECT DISTINCT queue FROM river_job").Scan(&queue))
		require.Equal(t, jobs.QueueIndexes, queue)
	})

	t.Run("OnlyTablesThatNeedWork", func(t *testing.T) {
		t.Parallel()
		ctx, pool, client := setup(t)
		c := catalogfiles.ShippedIndexes()
		for _, ix := range c.All() {
			if ix.Table != "leads" {
				_, err := pool.Exec(ctx, ix.Def.CreateConcurrently(indexes.Schema, ix.Name), pgx.QueryExecModeSimpleProtocol)
				require.NoError(t, err)
			}
		}
		res, err := indexes.Enqueue(ctx, workers.IndexBuildJobs{Client: client}, pool, c, indexes.EnqueueOpts{})
		require.NoError(t, err)
		for _, e := range res {
			want := indexes.EnqueueUpToDate
			if e.Table == "leads" {
				want = indexes.EnqueueInserted
			}
			require.Equal(t, want, e.Action, e.Table)
		}
	})

	t.Run("UnknownTableIsRefused", func(t *testing.T) {
		t.Parallel()
		ctx, pool, client := setup(t)
		_, err := indexes.Enqueue(ctx, workers.IndexBuildJobs{Client: client}, pool, catalogfiles.ShippedIndexes(), indexes.EnqueueOpts{Tables: []string{"nope"}})
		require.ErrorContains(t, err, `table "nope" is not in the index catalog`)
	})
}
