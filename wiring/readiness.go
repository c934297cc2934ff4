package wiring

import (
	"context"
	"log/slog"
	"net/http"

	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/internal/readiness"
)

// ReadinessModule serves /readyz: the migration step succeeded, the POOLER answers, River runs,
// and the worker's heartbeats land (with the number of live workers).
var ReadinessModule = fx.Module("readiness",
	fx.Provide(newReadiness),
	fx.Invoke(registerReadiness),
)

func newReadiness(lc fx.Lifecycle, pools *dbconn.Pools, m *Migrated, river *RiverState, hb *liveness.Heartbeat, log *slog.Logger) (*readiness.Checker, error) {
	c, err := readiness.New(readiness.Config{Migration: m, Pooler: pools.Pooler.Pool, River: river, Heartbeat: hb, Lint: m})
	if err != nil {
		return nil, err
	}
	// This hook is appended after River's (it depends on RiverState), so fx runs its OnStop
	// first: /readyz answers 503 while River drains its jobs and until the HTTP server, started
	// first and so stopped last, closes.
	lc.Append(fx.StopHook(func(context.Context) {
		c.Drain()
		log.Info("stopping: /readyz answers 503 from now on")
	}))
	return c, nil
}

func registerReadiness(mux *http.ServeMux, c *readiness.Checker) {
	mux.Handle("GET /readyz", c)
}
