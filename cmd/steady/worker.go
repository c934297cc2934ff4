package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/httpauth"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/wiring"
)

func workerCommand() *command {
	return &command{
		name:  "worker",
		short: "run the worker: connect, migrate, then enqueue and work index builds and backfills",
		long: `Runs until SIGTERM or SIGINT. At start it resolves the connections (DIRECT probed once for
migrations, POOLER for everything else), runs the migration step synchronously (as steady
migrate does, lint included; a failure is logged and reported unless --strict, which exits 1), then starts River
on the POOLER, polling for jobs unless the POOLER is shown to be direct or set to session
(--pooler-mode / STEADY_POOLER_MODE; a setting the evidence contradicts is logged as a warning). HTTP on STEADY_HTTP_ADDR (listening before the migration step):
  /healthz   200 while the process is alive
  /readyz    200 when the migration step succeeded, the POOLER answers and River runs; 503 otherwise
             (while migrating, after a failed step, while stopping); JSON with each check's reason
  /metrics   Prometheus metrics                        (credentials required off loopback)
  /river/    the River UI                              (credentials required off loopback)

Credentials, from the environment only (never flags, which other users can see in ps):
  STEADY_HTTP_TOKEN                         a bearer token (Authorization: Bearer TOKEN)
  STEADY_HTTP_USER and STEADY_HTTP_PASSWORD  basic auth
Either is accepted when both are set. On an address other than loopback (0.0.0.0, ::, a host
name) the worker refuses to start without them (exit 2); when set they are checked on loopback too.

Liveness: the worker registers in steady_workers and heartbeats through the POOLER every
--heartbeat-interval (5s). A worker without a heartbeat for --dead-after (4 intervals, 20s) is
dead: a live worker gives its running jobs back to be retried at once (a backfill slice resumes
from its checkpoint, an index build is retried), and a restarted worker takes back the jobs of
its previous process on the same machine at its start. A worker that finds itself declared dead
(paused or cut off longer than the bound) exits 1 at once: its jobs belong to others now.

Stopping (SIGTERM or SIGINT): /readyz answers 503 at once, River stops fetching and lets running
jobs finish within 30s, then cancels them; the worker deregisters; then the HTTP server shuts
down. Exit 0.`,
		setup: func(f *flags) func(context.Context, *env, []string) error {
			cfg := wiring.WorkerConfig{}
			ms := migrateFlags(f)
			f.bool(&cfg.Migrate.Strict, "strict", "STEADY_STRICT", false, "stop the worker (exit 1) when the migration step fails or the lint refuses a migration")
			f.string(&cfg.HTTPAddr, "http-addr", "STEADY_HTTP_ADDR", "127.0.0.1:8080", "address of /healthz, /readyz, /metrics and the River UI (/river); off loopback, /metrics and /river need STEADY_HTTP_TOKEN or STEADY_HTTP_USER + STEADY_HTTP_PASSWORD")
			f.duration(&cfg.StopTimeout, "stop-timeout", "STEADY_STOP_TIMEOUT", time.Minute, "how long a graceful stop may take")
			f.duration(&cfg.Indexes.BuildTimeout, "index-build-timeout", "STEADY_INDEX_BUILD_TIMEOUT", time.Hour, "bound of one attempt at building a table's indexes; a build cut short is healed by the next attempt")
			f.count(&cfg.Indexes.ParallelWorkers, "index-parallel-workers", "STEADY_INDEX_PARALLEL_WORKERS", 0, -1, 1024, "the table's parallel_workers while steady builds its indexes, put back after (0: each build is one process; -1: leave tables alone, PostgreSQL then uses max_parallel_maintenance_workers)")
			window := indexWindowFlag(f)
			f.count(&cfg.River.IndexWorkers, "index-workers", "STEADY_INDEX_WORKERS", 1, 1, 100, "index builds at once, on different tables (more finish sooner and slow the application more)")
			f.count(&cfg.River.BackfillWorkers, "backfill-workers", "STEADY_BACKFILL_WORKERS", 2, 1, 100, "backfill slices worked at once")
			f.count(&cfg.River.DefaultWorkers, "default-workers", "STEADY_DEFAULT_WORKERS", 4, 1, 1000, "jobs of the default queue worked at once")
			f.duration(&cfg.River.FetchPollInterval, "poll-interval", "STEADY_POLL_INTERVAL", 200*time.Millisecond, "how often River polls for jobs (always, behind a transaction pooler)")
			f.duration(&cfg.Liveness.Interval, "heartbeat-interval", "STEADY_HEARTBEAT_INTERVAL", 5*time.Second, "how often the worker heartbeats (100ms to 1m)")
			f.duration(&cfg.Liveness.DeadAfter, "dead-after", "STEADY_DEAD_AFTER", 0, "a worker without a heartbeat for this long is dead and its jobs are given back (default 4 heartbeat intervals: 20s; at least 3)")
			bf := backfillWorkerFlags(f)
			return func(ctx context.Context, e *env, _ []string) error {
				// River refuses a fetch poll interval under 1ms; below ~50ms polling is all load.
				if cfg.River.FetchPollInterval < 10*time.Millisecond || cfg.River.FetchPollInterval > time.Minute {
					return usageErr(fmt.Errorf("--poll-interval / STEADY_POLL_INTERVAL=%s: want 10ms to 1m", cfg.River.FetchPollInterval))
				}
				if err := (liveness.Config{Interval: cfg.Liveness.Interval, DeadAfter: cfg.Liveness.DeadAfter}).Validate(); err != nil {
					return usageErr(fmt.Errorf("--heartbeat-interval / STEADY_HEARTBEAT_INTERVAL, --dead-after / STEADY_DEAD_AFTER: %w", err))
				}
				src, err := ms.source()
				if err != nil {
					return err
				}
				// A worker validates every file before it starts: broken SQL is exit 2, nothing applied.
				loaded, err := migrate.Load(src)
				if err == nil {
					err = migrate.Parse(loaded)
				}
				if err != nil {
					return usageErr(err)
				}
				if cfg.Migrate.Lint, err = ms.lint.linter(); err != nil {
					return err
				}
				cfg.DB, cfg.Migrate.Source, cfg.Migrate.LockTimeout = *ms.db, src, ms.lockTimeout
				cfg.Migrate.LeaseTTL = ms.leaseTTL
				if cfg.Backfill, err = bf.config(); err != nil {
					return err
				}
				if cfg.Indexes.Window, err = window.parse(); err != nil {
					return err
				}
				cfg.HTTPAuth = httpauth.Credentials{User: os.Getenv("STEADY_HTTP_USER"),
					Password: os.Getenv("STEADY_HTTP_PASSWORD"), Token: os.Getenv("STEADY_HTTP_TOKEN")}
				// Refuse before connecting to anything: exposed without credentials is bad input.
				if _, err := httpauth.NewGuard(cfg.HTTPAddr, cfg.HTTPAuth); err != nil {
					return usageErr(err)
				}
				var migrated *wiring.Migrated
				app := fx.New(wiring.Worker(cfg, e.log.logger), fx.Populate(&migrated))
				if err := app.Err(); err != nil {
					return err
				}
				startCtx, stopStart := startContext(ctx, migrated)
				defer stopStart()
				if err := app.Start(startCtx); err != nil {
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

// startContext is the context of the worker's start. A signal while the migration step runs
// cancels it: a long migration must not hold a deploy hostage. Once the step is done the start
// runs to its end (starting River and enqueuing take moments) so that the stop which follows is
// graceful: when fx's start context is cancelled, its rollback skips every stop hook, and River
// would be left to die with its jobs instead of soft-stopping.
func startContext(ctx context.Context, m *wiring.Migrated) (context.Context, context.CancelFunc) {
	start, cancel := context.WithCancel(context.WithoutCancel(ctx))
	unregister := context.AfterFunc(ctx, func() {
		if _, _, done := m.Outcome(); !done {
			cancel()
		}
	})
	return start, func() { unregister(); cancel() }
}
