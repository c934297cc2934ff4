package workers_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/jobs"
	"github.com/steadydb/steady/workers"
)

func TestNewIndexBuild(t *testing.T) {
	t.Parallel()
	// A pool that never connects: the constructor does not touch the database.
	pool, err := pgxpool.New(t.Context(), "postgres://nobody@127.0.0.1:1/none")
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	catalog := catalogfiles.ShippedIndexes()
	job := func(attempt int) *river.Job[jobs.IndexBuildArgs] {
		return &river.Job[jobs.IndexBuildArgs]{JobRow: &rivertype.JobRow{Attempt: attempt}}
	}

	t.Run("FiniteTimeoutAndBoundedBackoff", func(t *testing.T) {
		t.Parallel()
		w, err := workers.NewIndexBuild(workers.IndexBuildConfig{Pool: pool, Catalog: catalog})
		require.NoError(t, err)
		require.Equal(t, time.Hour, w.Timeout(job(1)))
		for attempt, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 7: 30 * time.Minute, 50: 30 * time.Minute} {
			delay := time.Until(w.NextRetry(job(attempt)))
			require.InDelta(t, want.Seconds(), delay.Seconds(), want.Seconds()/10+1, "attempt %d", attempt)
		}
	})

	t.Run("Configured", func(t *testing.T) {
		t.Parallel()
		w, err := workers.NewIndexBuild(workers.IndexBuildConfig{Pool: pool, Catalog: catalog, Timeout: 3 * time.Hour, RetryBase: time.Second, RetryMax: 4 * time.Second})
		require.NoError(t, err)
		require.Equal(t, 3*time.Hour, w.Timeout(job(1)))
		require.InDelta(t, 4, time.Until(w.NextRetry(job(9))).Seconds(), 0.5)
	})

	t.Run("RefusesBadConfig", func(t *testing.T) {
		t.Parallel()
		_, err := workers.NewIndexBuild(workers.IndexBuildConfig{Catalog: catalog})
		require.ErrorContains(t, err, "no pool")
		_, err = workers.NewIndexBuild(workers.IndexBuildConfig{Pool: pool})
		require.ErrorContains(t, err, "Catalog is required")
		_, err = workers.NewIndexBuild(workers.IndexBuildConfig{Pool: pool, Catalog: catalog, Timeout: -time.Second})
		require.ErrorContains(t, err, "Timeout must not be negative")
	})
}
