package wiring

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/httpauth"
	"github.com/steadydb/steady/internal/indexes"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/internal/metrics"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/internal/riverdb"
)

// MetricsModule serves /metrics (guarded off loopback) from a registry of its own. The
// collector knows no engine: the functions below read each source and hand it values. Backfill
// series appear when the BackfillModule is part of the worker.
var MetricsModule = fx.Module("metrics",
	fx.Invoke(registerMetrics),
)

type metricsParams struct {
	fx.In

	Mux       *http.ServeMux
	Guard     *httpauth.Guard
	Pools     *dbconn.Pools
	Migrated  *Migrated
	Backfills *backfills.Store  `optional:"true"`
	Runner    *backfills.Runner `optional:"true"`
	Log       *slog.Logger
}

func registerMetrics(p metricsParams) error {
	cfg := metrics.Config{
		Connections: metrics.Connections{MigrationRole: string(p.Pools.Decision.MigrationRole), ProbeTime: p.Pools.Decision.ProbeTime},
		Pools:       func() []metrics.PoolStat { return poolStats(p.Pools) },
		Jobs: func(ctx context.Context, timeout time.Duration) ([]metrics.JobCount, error) {
			return jobCounts(ctx, p.Pools, timeout)
		},
		IndexBuildKind: indexes.BuildKind,
		Workers: func(ctx context.Context) (int, error) {
			ws, err := liveness.Alive(ctx, p.Pools.Pooler.Pool, p.Pools.Schema)
			return len(ws), err
		},
		Migration: func() metrics.MigrationStep { return migrationStep(p.Migrated) },
		Logger:    p.Log,
	}
	if p.Backfills != nil {
		cfg.Backfills = func(ctx context.Context) ([]metrics.Backfill, error) { return backfillProgress(ctx, p.Backfills) }
	}
	if p.Runner != nil {
		cfg.Throttle = p.Runner.ThrottledSeconds
	}
	c, err := metrics.NewCollector(cfg)
	if err != nil {
		return err
	}
	reg, err := metrics.NewRegistry(c)
	if err != nil {
		return err
	}
	p.Mux.Handle("GET /metrics", p.Guard.Wrap(metrics.Handler(reg, p.Log)))
	return nil
}

// poolStats is the POOLER pool and, when it is another one, the migration role's.
func poolStats(p *dbconn.Pools) []metrics.PoolStat {
	pools := []*dbconn.Pool{p.Pooler}
	if p.Migration != nil && p.Migration != p.Pooler {
		pools = append(pools, p.Migration)
	}
	out := make([]metrics.PoolStat, 0, len(pools))
	for _, pool := range pools {
		s := pool.Stat()
		out = append(out, metrics.PoolStat{Role: string(pool.Role),
			Acquired: s.AcquiredConns(), Idle: s.IdleConns(), Total: s.TotalConns(), Max: s.MaxConns()})
	}
	return out
}

// jobCounts reads river_job through the POOLER.
func jobCounts(ctx context.Context, p *dbconn.Pools, timeout time.Duration) ([]metrics.JobCount, error) {
	counts, err := riverdb.JobCounts(ctx, p.Pooler.Pool, p.Schema, timeout)
	if err != nil {
		return nil, err
	}
	out := make([]metrics.JobCount, len(counts))
	for i, c := range counts {
		out[i] = metrics.JobCount{Kind: c.Kind, State: c.State, N: c.N}
	}
	return out, nil
}

// migrationStates are the states steady_migrations names, zero included.
var migrationStates = []migrate.State{migrate.StateApplied, migrate.StateReconciled, migrate.StatePending,
	migrate.StatePartial, migrate.StateDrift, migrate.StateChecksumChanged, migrate.StateFailed}

func migrationStep(m *Migrated) metrics.MigrationStep {
	res, err, done := m.Outcome()
	step := metrics.MigrationStep{Done: done, Failed: err != nil}
	if !done || res == nil {
		return step
	}
	step.Duration = res.Duration
	step.Outcomes = map[string]int{"applied": res.Applied, "reconciled": res.Reconciled,
		"partial": res.Partial, "failed": res.Failed, "drift": res.Drift}
	step.States = make(map[string]int, len(migrationStates))
	for _, s := range migrationStates {
		step.States[string(s)] = 0
	}
	if res.Plan != nil {
		for _, mp := range res.Plan.Migrations {
			step.States[string(mp.State)]++
		}
	}
	return step
}

// backfillProgress is the latest run of each backfill that ran.
func backfillProgress(ctx context.Context, s *backfills.Store) ([]metrics.Backfill, error) {
	sts, err := s.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]metrics.Backfill, 0, len(sts))
	for _, st := range sts {
		if st.State == backfills.StateNever {
			continue
		}
		var remaining int64
		if st.RowsRemaining != nil {
			remaining = *st.RowsRemaining
		}
		out = append(out, metrics.Backfill{Name: st.Backfill, RowsDone: st.RowsDone, RowsRemaining: remaining, RowsPerSecond: st.RatePerS})
	}
	return out, nil
}
