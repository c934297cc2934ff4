package main

import (
	"context"
	"time"

	"go.uber.org/fx"

	"github.com/steadydb/steady/wiring"
)

func workerCommand() *command {
	return &command{
		name:  "worker",
		short: "run the worker: connect, migrate, then enqueue and work index builds and backfills",
		long: `Runs until SIGTERM or SIGINT. At start it resolves the connections (DIRECT probed once for
migrations, POOLER for everything else) and serves /healthz on STEADY_HTTP_ADDR.`,
		setup: func(f *flags) func(context.Context, *env, []string) error {
			cfg := wiring.WorkerConfig{}
			db := dbFlags(f)
			f.string(&cfg.HTTPAddr, "http-addr", "STEADY_HTTP_ADDR", "127.0.0.1:8080", "address of /healthz, /readyz, /metrics")
			f.duration(&cfg.StopTimeout, "stop-timeout", "STEADY_STOP_TIMEOUT", time.Minute, "how long a graceful stop may take")
			return func(ctx context.Context, e *env, _ []string) error {
				cfg.DB = *db
				app := fx.New(wiring.Worker(cfg, e.log.logger))
				if err := app.Err(); err != nil {
					return err
				}
				if err := app.Start(ctx); err != nil {
					return err
				}
				<-ctx.Done()
				e.log.logger.Info("stopping")
				stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.StopTimeout)
				defer cancel()
				return app.Stop(stopCtx)
			}
		},
	}
}
