package wiring

import (
	"log/slog"
	"net/http"

	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/httpauth"
	"github.com/steadydb/steady/internal/metrics"
)

// MetricsModule serves /metrics (guarded off loopback) from a registry of its own.
//
// Backfill progress appears when a module provides a metrics.BackfillProgress, for example
// fx.Provide(fx.Annotate(newProgress, fx.As(new(metrics.BackfillProgress)))).
var MetricsModule = fx.Module("metrics",
	fx.Invoke(registerMetrics),
)

type metricsParams struct {
	fx.In

	Mux       *http.ServeMux
	Guard     *httpauth.Guard
	Pools     *dbconn.Pools
	Migrated  *Migrated
	Backfills metrics.BackfillProgress `optional:"true"`
	Throttle  metrics.BackfillThrottle `optional:"true"`
	Log       *slog.Logger
}

func registerMetrics(p metricsParams) error {
	c, err := metrics.NewCollector(metrics.Config{Pools: p.Pools, Migration: p.Migrated, Backfills: p.Backfills,
		Throttle: p.Throttle, Logger: p.Log})
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
