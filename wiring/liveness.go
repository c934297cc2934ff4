package wiring

import (
	"context"
	"log/slog"
	"os"
	"time"

	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/liveness"
)

// LivenessConfig configures the worker's heartbeat (package liveness).
type LivenessConfig struct {
	Interval  time.Duration // how often the worker heartbeats; default 5s
	DeadAfter time.Duration // no heartbeat for this long is death; default 4 × Interval
	// OnFenced is called when the others declared this worker dead and gave its jobs away. The
	// default logs and exits the process with status 1 (the platform restarts it): finishing
	// those jobs here would work them twice.
	OnFenced func(error)
}

// LivenessModule registers the worker in steady_workers after the migration step and before
// River starts (River's client takes its id from the heartbeat), heartbeats through the
// POOLER, gives dead workers' jobs back, and deregisters after River has stopped.
var LivenessModule = fx.Module("liveness",
	fx.Provide(newHeartbeat),
)

func newHeartbeat(lc fx.Lifecycle, cfg WorkerConfig, pools *dbconn.Pools, tables *bookkeeping.Tables, _ *Migrated, log *slog.Logger) (*liveness.Heartbeat, error) {
	onFenced := cfg.Liveness.OnFenced
	if onFenced == nil {
		onFenced = func(err error) {
			log.Error("❌ exiting: another worker has this worker's jobs; the platform restarts it", slog.Any("error", err))
			// At once, without dbconn.WaitForCancels: meanwhile this process's River client
			// would go on fetching jobs that the others then wait for until River rescues them.
			os.Exit(1)
		}
	}
	h, err := liveness.New(liveness.Config{Pool: pools.Pooler.Pool, Tables: tables, Interval: cfg.Liveness.Interval,
		DeadAfter: cfg.Liveness.DeadAfter, Logger: log, OnFenced: onFenced})
	if err != nil {
		return nil, err
	}
	// Statements this worker starts while the others may have declared it dead wait for a heartbeat.
	pools.Pooler.SetGate(h.Gate)
	pools.Long.SetGate(h.Gate)
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			if err := h.Start(ctx); err != nil {
				if cfg.Migrate.Strict {
					return err
				}
				// River does not start unregistered: the others would take its jobs at once.
				log.Error("❌ this worker could not register; River will not start", slog.Any("error", err))
			}
			return nil
		},
		OnStop: h.Stop,
	})
	return h, nil
}
