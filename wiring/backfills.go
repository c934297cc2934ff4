package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/backfill"
	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/internal/metrics"
	"github.com/steadydb/steady/jobs"
	"github.com/steadydb/steady/workers"
)

// BackfillConfig configures the worker's backfills.
type BackfillConfig struct {
	Runner    backfill.Config
	Schedules []jobs.BackfillSchedule // parsed by the caller: an invalid spec is a usage error
	OnStart   OnStart
}

// OnStart says which backfills the worker starts when it starts, after River (as it enqueues
// index builds); a backfill with an active run is never started twice.
type OnStart string

const (
	OnStartNew  OnStart = "new"  // each backfill that has never run: a release's new backfill runs once
	OnStartAll  OnStart = "all"  // every backfill at each deploy, as the Python migration runner's --all did
	OnStartNone OnStart = "none" // only schedules and steady backfill enqueue start runs
)

// BackfillModule registers the backfill workers and the scheduled backfills' periodic jobs,
// creates the backfill bookkeeping before River starts, and starts OnStart's runs after.
var BackfillModule = fx.Module("backfills",
	fx.Provide(
		newBackfillStore,
		newBackfillRunner,
		fx.Annotate(backfillWorkers, fx.ResultTags(`group:"river_workers"`)),
		fx.Annotate(backfillPeriodicJobs, fx.ResultTags(`group:"river_periodic,flatten"`)),
		fx.Annotate(newBackfillProgress, fx.As(new(metrics.BackfillProgress))),
		func(r *backfill.Runner) metrics.BackfillThrottle { return r },
	),
	fx.Invoke(startBackfillsOnStart),
)

// newBackfillStore depends on Migrated, and River's workers depend on the store, so its start
// hook runs after the migration step and before River starts.
func newBackfillStore(lc fx.Lifecycle, cfg WorkerConfig, pools *dbconn.Pools, tables *bookkeeping.Tables, _ *Migrated, log *slog.Logger) *backfill.Store {
	lc.Append(fx.StartHook(func(ctx context.Context) error {
		if err := tables.Ensure(ctx); err != nil {
			if cfg.Migrate.Strict {
				return err
			}
			log.Error("❌ backfill bookkeeping unavailable; backfill jobs will fail until it is", slog.Any("error", err))
		}
		return nil
	}))
	return backfill.NewStore(pools.Pooler.Pool, tables)
}

func newBackfillRunner(cfg WorkerConfig, pools *dbconn.Pools, hb *liveness.Heartbeat, log *slog.Logger) (*backfill.Runner, error) {
	rc := cfg.Backfill.Runner
	rc.Logger, rc.Schema = log, pools.Schema
	// A batch left idle in its transaction longer than the dead-after bound belongs to a worker
	// the others are about to declare dead: let the server end it so the next owner can claim.
	rc.IdleTimeout = hb.DeadAfter()
	rc.Fence = hb.Fence
	return backfill.NewRunner(pools.Pooler.Pool, rc)
}

func backfillWorkers(runner *backfill.Runner, store *backfill.Store, log *slog.Logger) WorkerRegistration {
	return func(w *river.Workers) { workers.RegisterBackfills(w, runner, store, log) }
}

func backfillPeriodicJobs(cfg WorkerConfig, log *slog.Logger) []*river.PeriodicJob {
	for _, s := range cfg.Backfill.Schedules {
		log.Info("backfill scheduled", slog.String("backfill", s.Backfill), slog.String("spec", s.Spec),
			slog.String("zone", s.Zone), slog.Time("next", s.Next(time.Now())))
	}
	return jobs.BackfillPeriodicJobs(cfg.Backfill.Schedules)
}

// startBackfillsOnStart runs after River's start hook (it depends on the client).
func startBackfillsOnStart(lc fx.Lifecycle, cfg WorkerConfig, store *backfill.Store, client *river.Client[pgx.Tx], log *slog.Logger) {
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
		if err := startBackfills(ctx, mode, store, client, log); err != nil {
			// The worker still works schedules and enqueued runs: report, do not stop.
			log.Error("❌ starting backfills at worker start failed", slog.String("on_start", string(mode)), slog.Any("error", err))
		}
		return nil
	}))
}

func startBackfills(ctx context.Context, mode OnStart, store *backfill.Store, client *river.Client[pgx.Tx], log *slog.Logger) error {
	sts, err := store.Status(ctx)
	if err != nil {
		return err
	}
	for _, st := range sts {
		if mode == OnStartNew && st.State != backfill.StateNever {
			continue
		}
		b, _ := jobs.LookupBackfill(st.Backfill)
		res, err := store.Start(ctx, client, b, backfill.StartOpts{Slices: b.Slices, Trigger: backfill.TriggerStart})
		if err != nil {
			return fmt.Errorf("start backfill %s: %w", b.Name, err)
		}
		if res.Started {
			log.Info("backfill started at worker start", slog.String("backfill", b.Name), slog.Int64("run", res.Run),
				slog.Int("slices", res.Slices), slog.String("on_start", string(mode)))
		}
	}
	return nil
}

// backfillProgress reports the latest run of each backfill to /metrics.
type backfillProgress struct{ store *backfill.Store }

func newBackfillProgress(store *backfill.Store) backfillProgress { return backfillProgress{store} }

func (p backfillProgress) BackfillProgress(ctx context.Context) ([]metrics.Backfill, error) {
	sts, err := p.store.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]metrics.Backfill, 0, len(sts))
	for _, st := range sts {
		if st.State == backfill.StateNever {
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
