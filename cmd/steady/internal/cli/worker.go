package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/httpauth"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/wiring"
)

func workerCommand(c *cli) *cobra.Command {
	cfg := wiring.WorkerConfig{}
	ms := newMigrateSettings(c)
	window := &indexWindowSetting{}
	bf := &backfillSettings{}
	cat := &catalogSettings{}
	return c.command(&cobra.Command{
		Use:   "worker",
		Short: "run the worker: connect, migrate, then enqueue and work index builds and backfills",
		Long: `Runs until SIGTERM or SIGINT. At start it resolves the connections (DIRECT probed once for
migrations, POOLER for everything else; exit 2 before anything is written when DIRECT and POOLER
reach different databases or the POOLER reaches a standby or read-only sessions), runs the migration step synchronously (as steady
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
		Args: noArgs,
	}, append(append(ms.settings(),
		setting{"strict", "STEADY_STRICT", "stop the worker (exit 1) when the migration step fails or the lint refuses a migration", boolean(&cfg.Migrate.Strict, false)},
		setting{"http-addr", "STEADY_HTTP_ADDR", "address of /healthz, /readyz, /metrics and the River UI (/river); off loopback, /metrics and /river need STEADY_HTTP_TOKEN or STEADY_HTTP_USER + STEADY_HTTP_PASSWORD",
			text(&cfg.HTTPAddr, "127.0.0.1:8080")},
		setting{"stop-timeout", "STEADY_STOP_TIMEOUT", "how long a graceful stop may take", duration(&cfg.StopTimeout, time.Minute)},
		setting{"index-build-timeout", "STEADY_INDEX_BUILD_TIMEOUT", "bound of one attempt at building a table's indexes; a build cut short is healed by the next attempt",
			duration(&cfg.Indexes.BuildTimeout, time.Hour)},
		setting{"index-parallel-workers", "STEADY_INDEX_PARALLEL_WORKERS", "the table's parallel_workers while steady builds its indexes, put back after (0: each build is one process; -1: leave tables alone, PostgreSQL then uses max_parallel_maintenance_workers)",
			integer(&cfg.Indexes.ParallelWorkers, 0, -1, 1024)},
		window.setting(),
		setting{"index-workers", "STEADY_INDEX_WORKERS", "index builds at once, on different tables (more finish sooner and slow the application more)", integer(&cfg.River.IndexWorkers, 1, 1, 100)},
		setting{"backfill-workers", "STEADY_BACKFILL_WORKERS", "backfill slices worked at once", integer(&cfg.River.BackfillWorkers, 2, 1, 100)},
		setting{"default-workers", "STEADY_DEFAULT_WORKERS", "jobs of the default queue worked at once", integer(&cfg.River.DefaultWorkers, 4, 1, 1000)},
		// River refuses a fetch poll interval under 1ms; below ~50ms polling is all load.
		setting{"poll-interval", "STEADY_POLL_INTERVAL", "how often River polls for jobs (always, behind a transaction pooler)",
			durationIn(&cfg.River.FetchPollInterval, 200*time.Millisecond, 10*time.Millisecond, time.Minute)},
		setting{"heartbeat-interval", "STEADY_HEARTBEAT_INTERVAL", "how often the worker heartbeats (100ms to 1m)", duration(&cfg.Liveness.Interval, 5*time.Second)},
		setting{"dead-after", "STEADY_DEAD_AFTER", "a worker without a heartbeat for this long is dead and its jobs are given back (default 4 heartbeat intervals: 20s; at least 3)",
			duration(&cfg.Liveness.DeadAfter, 0)},
		cat.backfills(), cat.indexes(),
	), bf.settings()...),
		func(ctx context.Context, e *env, _ []string) error {
			if err := (liveness.Config{Interval: cfg.Liveness.Interval, DeadAfter: cfg.Liveness.DeadAfter}).Validate(); err != nil {
				return usageErr(fmt.Errorf("--heartbeat-interval / STEADY_HEARTBEAT_INTERVAL, --dead-after / STEADY_DEAD_AFTER: %w", err))
			}
			src, err := ms.source()
			if err != nil {
				return err
			}
			// A worker validates every file before it starts: broken SQL is exit 2, nothing applied.
			format, err := ms.migrationsFormat()
			if err != nil {
				return err
			}
			cfg.Migrate.Format = format
			loaded, err := migfiles.LoadFormat(src, format)
			if err == nil {
				err = migfiles.Parse(loaded)
			}
			if err != nil {
				return usageErr(err)
			}
			// The catalogs too: a bad backfill or index file, or one naming a table no migration
			// makes, stops the worker before anything connects (exit 2, naming file and line).
			dirs := catalogfiles.Sources{BackfillsDir: cat.backfillsDir, IndexesDir: cat.indexesDir}
			cats, err := catalogfiles.Load(dirs)
			if err = errors.Join(err, catalogfiles.Check(cats.Own(dirs, ms.dir == ""), catalogfiles.SchemaOf(loaded, ""))); err != nil {
				return usageErr(err)
			}
			cfg.Indexes.Catalog = cats.Indexes
			if cfg.Migrate.Lint, err = ms.lint.linter(ms.dir == ""); err != nil {
				return err
			}
			cfg.DB, cfg.Migrate.Source, cfg.Migrate.LockTimeout = *ms.db, src, ms.lockTimeout
			cfg.Migrate.LeaseTTL = ms.leaseTTL
			if cfg.Migrate.Shadow, err = ms.shadowSettings(); err != nil {
				return err
			}
			if cfg.Backfill, err = bf.config(cats.Backfills, e.lookupEnv); err != nil {
				return err
			}
			if cfg.Indexes.Window, err = window.parse(); err != nil {
				return err
			}
			cfg.HTTPAuth = httpauth.Credentials{User: getenv(e.lookupEnv, "STEADY_HTTP_USER"),
				Password: getenv(e.lookupEnv, "STEADY_HTTP_PASSWORD"), Token: getenv(e.lookupEnv, "STEADY_HTTP_TOKEN")}
			// Refuse before connecting to anything: exposed without credentials is bad input.
			if _, err := httpauth.NewGuard(cfg.HTTPAddr, cfg.HTTPAuth); err != nil {
				return usageErr(err)
			}
			var migrated *wiring.Migrated
			app := fx.New(wiring.Worker(cfg, e.log.logger), fx.Populate(&migrated))
			if err := app.Err(); err != nil {
				var refused *dbconn.RefusedError
				if errors.As(err, &refused) {
					return usageErr(refused) // what to fix, without fx's chain of constructors
				}
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
		})
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
