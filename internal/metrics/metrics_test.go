package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/dbtest"
	"github.com/steadydb/steady/internal/metrics"
)

// sources is a Config whose reads return what the test sets. The reads themselves
// (internal/riverdb, internal/liveness, the backfill store) are tested against PostgreSQL in
// their packages and through a running worker in wiring.
func sources() metrics.Config {
	return metrics.Config{
		Connections: metrics.Connections{MigrationRole: "DIRECT", ProbeTime: 3 * time.Millisecond},
		Pools: func() []metrics.PoolStat {
			return []metrics.PoolStat{{Role: "POOLER", Acquired: 1, Idle: 2, Total: 3, Max: 10}, {Role: "DIRECT", Total: 1, Max: 4}}
		},
		Jobs:           func(context.Context, time.Duration) ([]metrics.JobCount, error) { return nil, nil },
		IndexBuildKind: "steady_index_build",
		Workers:        func(context.Context) (int, error) { return 0, nil },
	}
}

// gather returns each series as "name{label=value,…}" → value.
func gather(t *testing.T, cfg metrics.Config) map[string]float64 {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := metrics.NewCollector(cfg)
	require.NoError(t, err)
	reg, err := metrics.NewRegistry(c)
	require.NoError(t, err)
	return gatherFrom(t, reg)
}

func gatherFrom(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
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

	t.Run("RequiresJobsAndWorkers", func(t *testing.T) {
		t.Parallel()
		_, err := metrics.NewCollector(metrics.Config{})
		require.ErrorContains(t, err, "Config.Jobs and Config.Workers are required")
	})

	t.Run("ConnectionsAndPools", func(t *testing.T) {
		t.Parallel()
		got := gather(t, sources())
		require.Equal(t, 1.0, got["steady_db_migration_role{role=DIRECT}"])
		require.Equal(t, 0.0, got["steady_db_migration_role{role=POOLER}"])
		require.Equal(t, 0.003, got["steady_db_direct_probe_seconds"])
		require.Equal(t, 10.0, got["steady_db_pool_connections{role=POOLER,state=max}"])
		require.Equal(t, 2.0, got["steady_db_pool_connections{role=POOLER,state=idle}"])
		require.Equal(t, 1.0, got["steady_db_pool_connections{role=DIRECT,state=total}"])
		require.Contains(t, got, "go_goroutines")
		require.Contains(t, got, "process_resident_memory_bytes")

		notMigrating := sources()
		notMigrating.Connections = metrics.Connections{}
		got = gather(t, notMigrating)
		require.Equal(t, 1.0, got["steady_db_migration_role{role=POOLER}"], "a process that does not migrate uses the POOLER for everything")
		require.Equal(t, 0.0, got["steady_db_direct_probe_seconds"])
	})

	t.Run("WhileMigrating", func(t *testing.T) {
		t.Parallel()
		cfg := sources()
		cfg.Migration = func() metrics.MigrationStep { return metrics.MigrationStep{} }
		got := gather(t, cfg)
		require.Equal(t, 1.0, got["steady_migration_step_status{status=running}"])
		require.Equal(t, 0.0, got["steady_migration_step_status{status=succeeded}"])
		require.NotContains(t, got, "steady_migrations{state=applied}")
		require.NotContains(t, got, "steady_migration_step_duration_seconds")
	})

	t.Run("AfterTheStep", func(t *testing.T) {
		t.Parallel()
		cfg := sources()
		cfg.Migration = func() metrics.MigrationStep {
			return metrics.MigrationStep{Done: true, Duration: 1500 * time.Millisecond,
				Outcomes: map[string]int{"applied": 39, "failed": 0},
				States:   map[string]int{"applied": 39, "pending": 0}}
		}
		got := gather(t, cfg)
		require.Equal(t, 1.0, got["steady_migration_step_status{status=succeeded}"])
		require.Equal(t, 39.0, got["steady_migration_step_migrations{outcome=applied}"])
		require.Equal(t, 39.0, got["steady_migrations{state=applied}"])
		require.Equal(t, 0.0, got["steady_migrations{state=pending}"])
		require.Equal(t, 1.5, got["steady_migration_step_duration_seconds"])
	})

	t.Run("FailedStep", func(t *testing.T) {
		t.Parallel()
		cfg := sources()
		cfg.Migration = func() metrics.MigrationStep {
			return metrics.MigrationStep{Done: true, Failed: true, Outcomes: map[string]int{"failed": 1}}
		}
		got := gather(t, cfg)
		require.Equal(t, 1.0, got["steady_migration_step_status{status=failed}"])
		require.Equal(t, 0.0, got["steady_migration_step_status{status=succeeded}"])
		require.Equal(t, 1.0, got["steady_migration_step_migrations{outcome=failed}"])
	})

	t.Run("JobsAndIndexBuilds", func(t *testing.T) {
		t.Parallel()
		cfg := sources()
		var bound time.Duration
		cfg.QueryTimeout = 2 * time.Second
		cfg.Jobs = func(ctx context.Context, timeout time.Duration) ([]metrics.JobCount, error) {
			bound = timeout
			_, ok := ctx.Deadline()
			require.True(t, ok, "the read has a deadline")
			return []metrics.JobCount{{"steady_index_build", "completed", 3}, {"steady_index_build", "discarded", 1},
				{"steady_index_build", "retryable", 2}, {"steady_backfill_batch", "available", 4}}, nil
		}
		got := gather(t, cfg)
		require.Equal(t, 2*time.Second, bound, "the statement is bounded by QueryTimeout")
		require.Equal(t, 1.0, got["steady_river_jobs_query_success"])
		require.Contains(t, got, "steady_river_jobs_query_duration_seconds")
		require.Equal(t, 3.0, got["steady_river_jobs{kind=steady_index_build,state=completed}"])
		require.Equal(t, 4.0, got["steady_river_jobs{kind=steady_backfill_batch,state=available}"])
		require.Equal(t, 3.0, got["steady_index_builds{outcome=completed}"])
		require.Equal(t, 1.0, got["steady_index_builds{outcome=discarded}"])
		require.Equal(t, 2.0, got["steady_index_builds{outcome=retryable}"])
		require.Equal(t, 0.0, got["steady_index_builds{outcome=running}"], "every River state has a series from the first scrape")
	})

	t.Run("AFailedReadFailsItsSeriesNotTheScrapeAndIsLoggedOnce", func(t *testing.T) {
		t.Parallel()
		cfg := sources()
		logs := &dbtest.LogBuffer{}
		cfg.Jobs = func(context.Context, time.Duration) ([]metrics.JobCount, error) {
			return nil, errors.New(`relation "river_job" does not exist`)
		}
		cfg.Workers = func(context.Context) (int, error) { return 0, errors.New("no steady_workers") }
		cfg.Backfills = func(context.Context) ([]metrics.Backfill, error) { return nil, errors.New("no table") }
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
		c, err := metrics.NewCollector(cfg)
		require.NoError(t, err)
		reg, err := metrics.NewRegistry(c)
		require.NoError(t, err)
		for range 3 {
			mfs, err := reg.Gather()
			require.NoError(t, err)
			require.NotEmpty(t, mfs)
		}
		got := gatherFrom(t, reg)
		require.Equal(t, 0.0, got["steady_river_jobs_query_success"])
		require.Equal(t, 0.0, got["steady_workers_query_success"])
		require.NotContains(t, got, "steady_workers_alive")
		require.Equal(t, 0.0, got["steady_backfill_progress_query_success"])
		require.Equal(t, 1, strings.Count(logs.String(), "metrics: river_job query failed"), logs.String())
	})

	t.Run("Workers", func(t *testing.T) {
		t.Parallel()
		cfg := sources()
		cfg.Workers = func(context.Context) (int, error) { return 2, nil }
		got := gather(t, cfg)
		require.Equal(t, 1.0, got["steady_workers_query_success"])
		require.Equal(t, 2.0, got["steady_workers_alive"])
	})

	t.Run("Backfills", func(t *testing.T) {
		t.Parallel()
		cfg := sources()
		got := gather(t, cfg)
		require.NotContains(t, got, "steady_backfill_progress_query_success", "no backfill source, no backfill series")
		cfg.Backfills = func(context.Context) ([]metrics.Backfill, error) {
			return []metrics.Backfill{{Name: "leads_status", RowsDone: 1500, RowsRemaining: 500, RowsPerSecond: 250}}, nil
		}
		cfg.Throttle = func() map[string]float64 { return map[string]float64{"application": 12.5, "lock_waiters": 0} }
		got = gather(t, cfg)
		require.Equal(t, 1.0, got["steady_backfill_progress_query_success"])
		require.Equal(t, 1500.0, got["steady_backfill_rows_done{backfill=leads_status}"])
		require.Equal(t, 500.0, got["steady_backfill_rows_remaining{backfill=leads_status}"])
		require.Equal(t, 250.0, got["steady_backfill_rows_per_second{backfill=leads_status}"])
		require.Equal(t, 12.5, got["steady_backfill_throttled_seconds_total{reason=application}"])
		require.Contains(t, got, "steady_backfill_throttled_seconds_total{reason=lock_waiters}")
	})

	t.Run("HandlerServesTextFormat", func(t *testing.T) {
		t.Parallel()
		cfg := sources()
		cfg.Throttle = func() map[string]float64 { return map[string]float64{"application": 1} }
		c, err := metrics.NewCollector(cfg)
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
