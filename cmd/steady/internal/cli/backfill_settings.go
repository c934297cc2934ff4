package cli

import (
	"time"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/wiring"
)

// backfillSettings are the worker's backfill settings.
type backfillSettings struct {
	runner    backfills.Config
	yield     float64
	onStart   string
	schedules scheduleSettings
}

func (s *backfillSettings) settings() []setting {
	c := &s.runner
	return append([]setting{
		{"backfill-target-batch", "STEADY_BACKFILL_TARGET_BATCH", "batch duration the adaptive batch size aims at", duration(&c.TargetBatch, 200*time.Millisecond)},
		{"backfill-min-batch", "STEADY_BACKFILL_MIN_BATCH", "smallest batch, in keys", integer(&c.MinBatch, 100, 1, 100_000_000)},
		{"backfill-max-batch", "STEADY_BACKFILL_MAX_BATCH", "largest batch, in keys", integer(&c.MaxBatch, 100_000, 1, 100_000_000)},
		{"backfill-attempt", "STEADY_BACKFILL_ATTEMPT", "how long one job attempt works before it snoozes to continue (short attempts: a crashed worker's job is rescued soon)",
			duration(&c.AttemptDuration, time.Minute)},
		{"backfill-lock-timeout", "STEADY_BACKFILL_LOCK_TIMEOUT", "SET LOCAL lock_timeout of each batch", duration(&c.LockTimeout, 2*time.Second)},
		{"backfill-statement-timeout", "STEADY_BACKFILL_STATEMENT_TIMEOUT", "SET LOCAL statement_timeout of each batch", duration(&c.StatementTimeout, 30*time.Second)},
		{"backfill-max-lock-waiters", "STEADY_BACKFILL_MAX_LOCK_WAITERS", "sessions waiting for a lock on the table before batches wait",
			integer(&c.MaxLockWaiters, 0, 0, 10_000)},
		{"backfill-max-xact-age", "STEADY_BACKFILL_MAX_XACT_AGE", "oldest other open transaction before batches wait (vacuum cannot keep up); -1s: ignore",
			duration(&c.MaxXactAge, 10*time.Minute)},
		{"backfill-max-replica-lag", "STEADY_BACKFILL_MAX_REPLICA_LAG", "replica replay lag before batches wait; -1s: ignore", duration(&c.MaxReplicaLag, 10*time.Second)},
		{"backfill-yield", "STEADY_BACKFILL_YIELD",
			"how far batches give way to the application: after each batch a slice waits yield × (other sessions active in the database) × the batch's duration; 0: full speed",
			number(&s.yield, backfills.DefaultYield, 0, backfills.MaxYield)},
		{"backfill-on-start", "STEADY_BACKFILL_ON_START",
			"backfills the worker starts when it starts: new (each that never ran), all (every one, as db_run_backfills.py --all), none",
			oneOf(&s.onStart, string(wiring.OnStartNew), string(wiring.OnStartNew), string(wiring.OnStartAll), string(wiring.OnStartNone))},
	}, s.schedules.settings()...)
}

// config checks the settings together, for the backfills of catalog; a bad one is a usage
// error.
func (s *backfillSettings) config(catalog backfills.Catalog, lookup LookupEnv) (wiring.BackfillConfig, error) {
	scheds, err := s.schedules.resolve(catalog, lookup)
	if err != nil {
		return wiring.BackfillConfig{}, err
	}
	s.runner.Yield = s.yield
	if s.yield == 0 {
		s.runner.Yield = -1 // the Config's zero value is its default
	}
	if err := s.runner.Validate(); err != nil {
		return wiring.BackfillConfig{}, usageErr(err)
	}
	return wiring.BackfillConfig{Catalog: catalog, Runner: s.runner, Schedules: scheds, OnStart: wiring.OnStart(s.onStart)}, nil
}
