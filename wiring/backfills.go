package wiring

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/jobs"
	"github.com/steadydb/steady/workers"
)

// BackfillConfig configures the worker's backfills.
type BackfillConfig struct {
	// Catalog is the backfills the worker runs by name (read from files and checked by the
	// caller); default the shipped ones. Ad hoc runs bring their own definitions.
	Catalog   backfills.Catalog
	Runner    backfills.Config
	Schedules []backfills.Schedule // parsed by the caller: an invalid spec is a usage error
	OnStart   OnStart
}

// OnStart says which backfills the worker starts when it starts (backfills.OnStart).
type OnStart = backfills.OnStart

const (
	OnStartNew  = backfills.OnStartNew
	OnStartAll  = backfills.OnStartAll
	OnStartNone = backfills.OnStartNone
)

// BackfillModule registers the backfill workers and the scheduled backfills' periodic jobs,
// creates the backfill bookkeeping before River starts, and starts OnStart's runs after.
var BackfillModule = fx.Module("backfills",
	fx.Provide(
		newBackfillStore,
		newBackfillRunner,
		fx.Annotate(backfillWorkers, fx.ResultTags(`group:"river_workers"`)),
		fx.Annotate(backfillPeriodicJobs, fx.ResultTags(`group:"river_periodic,flatten"`)),
	),
	fx.Invoke(startBackfillsOnStart),
)

// newBackfillStore depends on Migrated, and River's workers depend on the store, so its start
// hook runs after the migration step and before River starts.
func newBackfillStore(lc fx.Lifecycle, cfg WorkerConfig, pools *dbconn.Pools, tables *bookkeeping.Tables, _ *Migrated, log *slog.Logger) *backfills.Store {
	lc.Append(fx.StartHook(func(ctx context.Context) error {
		if err := tables.Ensure(ctx); err != nil {
			if cfg.Migrate.Strict {
				return err
			}
			log.Error("❌ backfill bookkeeping unavailable; backfill jobs will fail until it is", slog.Any("error", err))
		}
		return nil
	}))
	return backfills.NewStore(pools.Pooler.Pool, tables, cfg.backfillCatalog())
}

func newBackfillRunner(cfg WorkerConfig, pools *dbconn.Pools, hb *liveness.Heartbeat, log *slog.Logger) (*backfills.Runner, error) {
	rc := cfg.Backfill.Runner
	rc.Logger, rc.Schema = log, pools.Schema
	// A batch left idle in its transaction longer than the dead-after bound belongs to a worker
	// the others are about to declare dead: let the server end it so the next owner can claim.
	rc.IdleTimeout = hb.DeadAfter()
	rc.Fence = hb.Fence
	return backfills.NewRunner(pools.Pooler.Pool, cfg.backfillCatalog(), rc)
}

func (cfg WorkerConfig) backfillCatalog() backfills.Catalog {
	if cfg.Backfill.Catalog == nil {
		return catalogfiles.ShippedBackfills()
	}
	return cfg.Backfill.Catalog
}

func backfillWorkers(runner *backfills.Runner, store *backfills.Store, hb *liveness.Heartbeat, log *slog.Logger) WorkerRegistration {
	return func(w *river.Workers) { workers.RegisterBackfills(w, runner, store, hb.HoldAlive, log) }
}

func backfillPeriodicJobs(cfg WorkerConfig, log *slog.Logger) []*river.PeriodicJob {
	for _, s := range cfg.Backfill.Schedules {
		log.Info("backfill scheduled", slog.String("backfill", s.Backfill), slog.String("spec", s.Spec),
			slog.String("zone", s.Zone), slog.Time("next", s.Next(time.Now())))
	}
	return jobs.BackfillPeriodicJobs(cfg.Backfill.Schedules)
}

// startBackfillsOnStart runs after River's start hook (it depends on the client).
func startBackfillsOnStart(lc fx.Lifecycle, cfg WorkerConfig, store *backfills.Store, client *river.Client[pgx.Tx], log *slog.Logger) {
	mode := cfg.Backfill.OnStart
	if mode == "" {
		mode = OnStartNew
	}
	if mode == OnStartNone {
		return
	}
	lc.Append(fx.StartHook(func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := store.StartOnStart(ctx, mode, workers.BackfillJobs{Client: client}, log); err != nil {
			// The worker still works schedules and enqueued runs: report, do not stop.
			log.Error("❌ starting backfills at worker start failed", slog.String("on_start", string(mode)), slog.Any("error", err))
		}
		return nil
	}))
}
