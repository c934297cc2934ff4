package wiring_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/indexes"
	"github.com/steadydb/steady/jobs"
	"github.com/steadydb/steady/migrations"
	"github.com/steadydb/steady/wiring"
)

// indexWorker is a started worker application and what it logged.
type indexWorker struct {
	app    *fx.App
	client *river.Client[pgx.Tx]
	events <-chan *river.Event
	logs   *dbtest.LogBuffer
}

// startIndexWorker starts the worker as `steady worker` does. Its River client is subscribed
// before it starts, so no event of the builds enqueued at start is missed.
func startIndexWorker(t *testing.T, db *dbtest.DB) *indexWorker {
	t.Helper()
	w := &indexWorker{logs: &dbtest.LogBuffer{}}
	log := slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg := wiring.WorkerConfig{
		// POOLER only: the migration step runs through PgBouncer too.
		DB:       dbconn.Config{PoolerURL: db.PoolerURL},
		Migrate:  wiring.MigrateConfig{Source: migrations.FS},
		HTTPAddr: "127.0.0.1:0",
	}
	w.app = fx.New(wiring.Worker(cfg, log), fx.Populate(&w.client))
	require.NoError(t, w.app.Err())
	w.events, _ = w.client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	require.NoError(t, w.app.Start(ctx))
	t.Cleanup(func() { w.stop(t) })
	return w
}

func (w *indexWorker) stop(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, w.app.Stop(ctx))
}

// completed waits for n index build jobs to complete.
func (w *indexWorker) completed(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(2 * time.Minute)
	for done := 0; done < n; {
		select {
		case ev := <-w.events:
			require.NotNil(t, ev, "River stopped; logs:\n%s", w.logs)
			if ev.Job.Kind != (jobs.IndexBuildArgs{}).Kind() {
				continue // other modules' jobs
			}
			require.Equal(t, river.EventKindJobCompleted, ev.Kind, "%s: %v", ev.Job.EncodedArgs, ev.Job.Errors)
			done++
		case <-timeout:
			t.Fatalf("%d of %d index builds completed within 2 minutes; logs:\n%s", done, n, w.logs)
		}
	}
}

// enqueueLog returns the worker's one log line about index builds.
func (w *indexWorker) enqueueLog(t *testing.T) map[string]any {
	t.Helper()
	var found []map[string]any
	for line := range strings.Lines(w.logs.String()) {
		var entry map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &entry))
		if strings.HasPrefix(entry["msg"].(string), "index builds run on POOLER") {
			found = append(found, entry)
		}
	}
	require.Len(t, found, 1, "logged once per start")
	return found[0]
}

func TestWorkerIndexBuilds(t *testing.T) {
	t.Parallel()
	// An empty database: the worker migrates it before River starts and enqueues.
	db := dbtest.New(t)
	tables := len(catalogfiles.ShippedIndexes().Tables())

	first := startIndexWorker(t, db)
	first.completed(t, tables)
	entry := first.enqueueLog(t)
	require.EqualValues(t, tables, entry["enqueued"])
	require.Equal(t, "transaction", entry["pool_mode"])
	first.stop(t)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, db.DirectURL)
	require.NoError(t, err)
	defer conn.Close(ctx)

	t.Run("MigrationsCameFirst", func(t *testing.T) {
		var migrated, riverMigrated, firstJob time.Time
		require.NoError(t, conn.QueryRow(ctx, `SELECT (SELECT max(applied_at) FROM schema_migrations),
			(SELECT max(created_at) FROM river_migration), (SELECT min(created_at) FROM river_job WHERE kind = $1)`,
			jobs.IndexBuildArgs{}.Kind()).Scan(&migrated, &riverMigrated, &firstJob))
		require.False(t, firstJob.Before(migrated), "a job was enqueued before the last migration was recorded")
		require.False(t, firstJob.Before(riverMigrated))
	})

	t.Run("EveryIndexIsValid", func(t *testing.T) {
		status, err := indexes.ReadStatus(ctx, conn, catalogfiles.ShippedIndexes())
		require.NoError(t, err)
		for _, st := range status {
			require.Equal(t, indexes.Valid, st.State, st.Name)
		}
	})

	t.Run("ASecondStartEnqueuesNothing", func(t *testing.T) {
		second := startIndexWorker(t, db)
		entry := second.enqueueLog(t)
		require.EqualValues(t, 0, entry["enqueued"])
		require.EqualValues(t, tables, entry["up_to_date"])
		var jobsN, done int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE state = 'completed') FROM river_job WHERE kind = $1",
			jobs.IndexBuildArgs{}.Kind()).Scan(&jobsN, &done))
		require.Equal(t, tables, jobsN)
		require.Equal(t, tables, done)
	})
}
