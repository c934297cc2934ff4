package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/indexes"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/internal/metrics"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

// step is a migration step whose outcome the test sets.
type step struct {
	mu   sync.Mutex
	res  *migrate.Result
	err  error
	done bool
}

func (s *step) Outcome() (*migrate.Result, error, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.res, s.err, s.done
}

type backfills struct {
	rows []metrics.Backfill
	err  error
}

func (b backfills) BackfillProgress(context.Context) ([]metrics.Backfill, error) {
	return b.rows, b.err
}

// throttle is held-back time the test sets.
type throttle map[string]float64

func (t throttle) ThrottledSeconds() map[string]float64 { return t }

type bundle struct {
	db    *dbtest.DB
	pools *dbconn.Pools
	step  *step
}

// setup opens the pools as the worker does and runs a real migration step on an empty database.
func setup(t *testing.T) *bundle {
	t.Helper()
	db := dbtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pools, err := dbconn.Open(context.Background(), dbconn.Config{DirectURL: db.DirectURL, PoolerURL: db.PoolerURL, Logger: log}, dbconn.OpenOpts{Migrate: true})
	require.NoError(t, err)
	t.Cleanup(pools.Close)
	b := &bundle{db: db, pools: pools, step: &step{}}
	return b
}

func (b *bundle) migrate(t *testing.T) *migrate.Result {
	t.Helper()
	m, err := migrate.New(migrate.Config{Pool: b.pools.Migration.Pool, Migrations: migrations.FS, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	res, err := m.Migrate(context.Background(), migrate.Opts{})
	require.NoError(t, err)
	b.step.mu.Lock()
	b.step.res, b.step.done = res, true
	b.step.mu.Unlock()
	return res
}

// insertJobs adds jobs straight into river_job, n per (kind, state).
func (b *bundle) insertJobs(t *testing.T, kind, state string, n int) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, b.db.DirectURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	final := "NULL"
	if state == "completed" || state == "discarded" || state == "cancelled" {
		final = "now()"
	}
	_, err = conn.Exec(ctx, `INSERT INTO river_job (kind, state, args, queue, max_attempts, finalized_at)
		SELECT $1, $2::river_job_state, '{}', 'default', 5, `+final+` FROM generate_series(1, $3)`, kind, state, n)
	require.NoError(t, err)
}

// gather returns each series as "name{label=value,…}" → value.
func gather(t *testing.T, cfg metrics.Config) map[string]float64 {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := metrics.NewCollector(cfg)
	require.NoError(t, err)
	reg, err := metrics.NewRegistry(c)
	require.NoError(t, err)
	mfs, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			out[series(mf.GetName(), m)] = value(m)
		}
	}
	return out
}

func series(name string, m *dto.Metric) string {
	var ls []string
	for _, l := range m.GetLabel() {
		ls = append(ls, l.GetName()+"="+l.GetValue())
	}
	if len(ls) == 0 {
		return name
	}
	return name + "{" + strings.Join(ls, ",") + "}"
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Untyped != nil:
		return m.GetUntyped().GetValue()
	}
	return -1
}

func TestCollector(t *testing.T) {
	t.Parallel()

	t.Run("WhileMigrating", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		got := gather(t, metrics.Config{Pools: b.pools, Migration: b.step})
		require.Equal(t, 1.0, got["steady_db_migration_role{role=DIRECT}"])
		require.Equal(t, 0.0, got["steady_db_migration_role{role=POOLER}"])
		require.Greater(t, got["steady_db_direct_probe_seconds"], 0.0)
		require.Less(t, got["steady_db_direct_probe_seconds"], 5.0)
		require.Equal(t, 10.0, got["steady_db_pool_connections{role=POOLER,state=max}"])
		require.Contains(t, got, "steady_db_pool_connections{role=DIRECT,state=total}")
		require.Equal(t, 1.0, got["steady_migration_step_status{status=running}"])
		require.Equal(t, 0.0, got["steady_migration_step_status{status=succeeded}"])
		require.NotContains(t, got, "steady_migrations{state=applied}")
		// No River schema yet: the query fails, the scrape does not.
		require.Equal(t, 0.0, got["steady_river_jobs_query_success"])
		require.Contains(t, got, "go_goroutines")
		require.Contains(t, got, "process_resident_memory_bytes")
	})

	t.Run("AfterRealWork", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		res := b.migrate(t)
		// The kind index build jobs are inserted with (jobs.IndexBuildArgs.Kind returns it).
		b.insertJobs(t, indexes.BuildKind, "completed", 3)
		b.insertJobs(t, indexes.BuildKind, "discarded", 1)
		b.insertJobs(t, indexes.BuildKind, "retryable", 2)
		b.insertJobs(t, "steady_backfill_batch", "available", 4)

		got := gather(t, metrics.Config{Pools: b.pools, Migration: b.step, Backfills: backfills{rows: []metrics.Backfill{
			{Name: "leads_status", RowsDone: 1500, RowsRemaining: 500, RowsPerSecond: 250},
		}}, Throttle: throttle{"application": 12.5, "lock_waiters": 0}})
		require.Equal(t, 1.0, got["steady_migration_step_status{status=succeeded}"])
		require.Equal(t, float64(res.Applied), got["steady_migration_step_migrations{outcome=applied}"])
		require.Equal(t, float64(res.Total), got["steady_migrations{state=applied}"], "every migration applied on an empty database")
		require.Equal(t, 0.0, got["steady_migrations{state=pending}"])
		require.Equal(t, 0.0, got["steady_migrations{state=failed}"])
		require.Greater(t, got["steady_migration_step_duration_seconds"], 0.0)

		require.Equal(t, 1.0, got["steady_river_jobs_query_success"])
		require.Equal(t, 3.0, got["steady_river_jobs{kind="+indexes.BuildKind+",state=completed}"])
		require.Equal(t, 4.0, got["steady_river_jobs{kind=steady_backfill_batch,state=available}"])
		require.Equal(t, 3.0, got["steady_index_builds{outcome=completed}"])
		require.Equal(t, 1.0, got["steady_index_builds{outcome=discarded}"])
		require.Equal(t, 2.0, got["steady_index_builds{outcome=retryable}"])
		require.Equal(t, 0.0, got["steady_index_builds{outcome=running}"])

		require.Equal(t, 1.0, got["steady_backfill_progress_query_success"])
		require.Equal(t, 1500.0, got["steady_backfill_rows_done{backfill=leads_status}"])
		require.Equal(t, 500.0, got["steady_backfill_rows_remaining{backfill=leads_status}"])
		require.Equal(t, 250.0, got["steady_backfill_rows_per_second{backfill=leads_status}"])
		require.Equal(t, 12.5, got["steady_backfill_throttled_seconds_total{reason=application}"])
		require.Contains(t, got, "steady_backfill_throttled_seconds_total{reason=lock_waiters}")
	})

	t.Run("FailedStepAndBackfillError", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.step.res, b.step.err, b.step.done = &migrate.Result{Failed: 1}, errors.New("boom"), true
		got := gather(t, metrics.Config{Pools: b.pools, Migration: b.step, Backfills: backfills{err: errors.New("no table")}})
		require.Equal(t, 1.0, got["steady_migration_step_status{status=failed}"])
		require.Equal(t, 1.0, got["steady_migration_step_migrations{outcome=failed}"])
		require.Equal(t, 0.0, got["steady_backfill_progress_query_success"])
	})

	t.Run("WorkersAlive", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.migrate(t)
		got := gather(t, metrics.Config{Pools: b.pools})
		require.Equal(t, 1.0, got["steady_workers_query_success"], "no registry yet: no worker")
		require.Equal(t, 0.0, got["steady_workers_alive"])
		h, err := liveness.New(liveness.Config{Pool: b.pools.Pooler.Pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		require.NoError(t, err)
		require.NoError(t, h.Start(context.Background()))
		got = gather(t, metrics.Config{Pools: b.pools})
		require.Equal(t, 1.0, got["steady_workers_alive"])
		require.NoError(t, h.Stop(context.Background()))
		got = gather(t, metrics.Config{Pools: b.pools})
		require.Equal(t, 0.0, got["steady_workers_alive"], "a stopped worker is gone at once")
	})

	t.Run("HandlerServesTextFormat", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c, err := metrics.NewCollector(metrics.Config{Pools: b.pools, Throttle: throttle{"application": 1}})
		require.NoError(t, err)
		reg, err := metrics.NewRegistry(c)
		require.NoError(t, err)
		w := httptest.NewRecorder()
		metrics.Handler(reg, slog.Default()).ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
		require.Equal(t, 200, w.Code)
		require.Contains(t, w.Body.String(), "# TYPE steady_db_migration_role gauge")
		require.Contains(t, w.Body.String(), `steady_db_migration_role{role="DIRECT"} 1`)
		require.Contains(t, w.Body.String(), "promhttp_metric_handler_requests_total")
		require.Contains(t, w.Body.String(), "# TYPE steady_backfill_throttled_seconds_total counter")
	})
}
