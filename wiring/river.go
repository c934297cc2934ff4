package wiring

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/jobs"
)

// RiverConfig configures the worker's River client.
type RiverConfig struct {
	// FetchPollInterval applies when River polls (always through a transaction pooler, where
	// LISTEN/NOTIFY is silently dropped). 200 ms measured p50 pickup ≈ 127 ms, 1 s ≈ 640 ms
	// (docs/architecture.md, "LISTEN/NOTIFY through a pooler").
	FetchPollInterval time.Duration // default 200ms
	IndexWorkers      int           // default 1: one build at a time keeps the application's latency (docs/benchmarks.md)
	BackfillWorkers   int           // default 2
	DefaultWorkers    int           // default 4
	SoftStopTimeout   time.Duration // running jobs may finish within this; then they are cancelled. Default 30s
}

func (c RiverConfig) withDefaults() RiverConfig {
	c.FetchPollInterval = cmp.Or(c.FetchPollInterval, 200*time.Millisecond)
	c.IndexWorkers = cmp.Or(c.IndexWorkers, 1)
	c.BackfillWorkers = cmp.Or(c.BackfillWorkers, 2)
	c.DefaultWorkers = cmp.Or(c.DefaultWorkers, 4)
	c.SoftStopTimeout = cmp.Or(c.SoftStopTimeout, 30*time.Second)
	return c
}

// WorkerRegistration adds workers to River's registry. Modules provide them in the
// "river_workers" group.
type WorkerRegistration func(*river.Workers)

// RiverState tells readiness whether River is running.
type RiverState struct{ running atomic.Bool }

// Running reports whether the River client started and has not stopped.
func (s *RiverState) Running() bool { return s.running.Load() }

type riverParams struct {
	fx.In

	Lifecycle     fx.Lifecycle
	Config        WorkerConfig
	Pools         *dbconn.Pools
	Migrated      *Migrated           // River starts after the migration step: its hook runs first
	Heartbeat     *liveness.Heartbeat // registers the worker before River starts: its hook runs first
	Log           *slog.Logger
	Registrations []WorkerRegistration `group:"river_workers"`
	Periodic      []*river.PeriodicJob `group:"river_periodic"`
}

type riverResult struct {
	fx.Out

	Client *river.Client[pgx.Tx]
	State  *RiverState
}

// RiverModule runs a River client on the POOLER pool.
var RiverModule = fx.Module("river",
	fx.Provide(newRiverClient),
	fx.Invoke(func(*river.Client[pgx.Tx]) {}),
)

func newRiverClient(p riverParams) (riverResult, error) {
	cfg := p.Config.River.withDefaults()
	workers := river.NewWorkers()
	for _, reg := range p.Registrations {
		reg(workers)
	}
	// Poll unless the POOLER is known to keep sessions (direct, or session mode as set): behind a
	// transaction pooler LISTEN is silently dropped, and an undetected POOLER is treated as one.
	pollOnly := p.Pools.Pooler.Pooled()
	client, err := river.NewClient(riverpgxv5.New(p.Pools.Pooler.Pool), &river.Config{
		// The id the heartbeat registered: river_job.attempted_by names this worker's row.
		ID:                p.Heartbeat.ClientID(),
		Schema:            p.Pools.Schema.Name(),
		Logger:            p.Log,
		PollOnly:          pollOnly,
		FetchPollInterval: cfg.FetchPollInterval,
		Queues: map[string]river.QueueConfig{
			jobs.QueueIndexes:   {MaxWorkers: cfg.IndexWorkers},
			jobs.QueueBackfills: {MaxWorkers: cfg.BackfillWorkers},
			jobs.QueueDefault:   {MaxWorkers: cfg.DefaultWorkers},
		},
		Workers:      workers,
		PeriodicJobs: p.Periodic,
		// Every job kind sets its own finite Timeout(); this is the bound for any that does not.
		JobTimeout: 5 * time.Minute,
		// The heartbeat gives a dead worker's jobs back within its dead-after bound; River's own
		// rescuer (max(this, the job's timeout)) stays as the backstop for clients that do not
		// heartbeat.
		RescueStuckJobsAfter: 5 * time.Minute,
	})
	if err != nil {
		return riverResult{}, err
	}
	state := &RiverState{}
	p.Lifecycle.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			if _, merr, _ := p.Migrated.Outcome(); merr != nil {
				p.Log.Warn("starting River although the migration step failed", slog.Any("error", merr))
			}
			if !p.Heartbeat.Registered() {
				return nil // said when registering failed; strict stopped the start there
			}
			// The start context carries fx's start deadline; River must outlive it.
			if err := client.Start(context.WithoutCancel(ctx)); err != nil {
				if p.Config.Migrate.Strict {
					return err
				}
				p.Log.Error("❌ River did not start; the worker keeps serving health endpoints", slog.Any("error", err))
				// Not working jobs, so not a worker the others should count on.
				if err := p.Heartbeat.Stop(ctx); err != nil {
					p.Log.Warn("deregister", slog.Any("error", err))
				}
				return nil
			}
			state.running.Store(true)
			p.Log.Info("River started on POOLER", slog.String("client_id", client.ID()), slog.Bool("poll_only", pollOnly), slog.String("pool_mode", string(p.Pools.Pooler.Mode)),
				slog.String("fetch_poll_interval", cfg.FetchPollInterval.String()),
				slog.Int("index_workers", cfg.IndexWorkers), slog.Int("backfill_workers", cfg.BackfillWorkers),
				slog.Int("default_workers", cfg.DefaultWorkers))
			return nil
		},
		OnStop: func(ctx context.Context) error {
			if !state.running.Load() {
				return nil
			}
			defer state.running.Store(false)
			soft, cancel := context.WithTimeout(ctx, cfg.SoftStopTimeout)
			defer cancel()
			err := client.Stop(soft)
			if errors.Is(err, context.DeadlineExceeded) {
				p.Log.Warn("jobs still running after the soft stop timeout; cancelling them", slog.String("soft_stop_timeout", cfg.SoftStopTimeout.String()))
				return client.StopAndCancel(ctx)
			}
			return err
		},
	})
	return riverResult{Client: client, State: state}, nil
}
