package main

import (
	"context"
	"time"

	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/wiring"
)

func workerCommand() *command {
	return &command{
		name:  "worker",
		short: "run the worker: connect, migrate, then enqueue and work index builds and backfills",
		long: `Runs until SIGTERM or SIGINT. At start it resolves the connections (DIRECT probed once for
migrations, POOLER for everything else), runs the migration step synchronously (as steady
migrate does; a failure is logged and reported unless --strict, which exits 1), then serves
/healthz on STEADY_HTTP_ADDR.`,
		setup: func(f *flags) func(context.Context, *env, []string) error {
			cfg := wiring.WorkerConfig{}
			ms := migrateFlags(f)
			f.bool(&cfg.Migrate.Strict, "strict", "STEADY_STRICT", false, "stop the worker (exit 1) when the migration step fails")
			f.string(&cfg.HTTPAddr, "http-addr", "STEADY_HTTP_ADDR", "127.0.0.1:8080", "address of /healthz, /readyz, /metrics")
			f.duration(&cfg.StopTimeout, "stop-timeout", "STEADY_STOP_TIMEOUT", time.Minute, "how long a graceful stop may take")
			return func(ctx context.Context, e *env, _ []string) error {
				src, err := ms.source()
				if err != nil {
					return err
				}
				if _, err := migrate.Load(src); err != nil {
					return usageErr(err)
				}
				cfg.DB, cfg.Migrate.Source, cfg.Migrate.LockTimeout = *ms.db, src, ms.lockTimeout
				cfg.Migrate.LeaseTTL = ms.leaseTTL
				app := fx.New(wiring.Worker(cfg, e.log.logger))
				if err := app.Err(); err != nil {
					return err
				}
				if err := app.Start(ctx); err != nil {
					if ctx.Err() == nil {
						return err
					}
					// SIGTERM during start (a long migration, say) is a stop, not a failure.
					e.log.logger.Info("stopped during start", "error", err)
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
