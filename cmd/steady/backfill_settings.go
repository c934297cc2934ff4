package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/wiring"
)

// backfillSettings are the worker's backfill settings.
type backfillSettings struct {
	runner    backfills.Config
	yield     float64
	onStart   string
	schedules *scheduleSettings
}

func backfillWorkerFlags(f *flags) *backfillSettings {
	s := &backfillSettings{schedules: scheduleFlags(f)}
	c := &s.runner
	f.duration(&c.TargetBatch, "backfill-target-batch", "STEADY_BACKFILL_TARGET_BATCH", 200*time.Millisecond, "batch duration the adaptive batch size aims at")
	int64Flag(f, &c.MinBatch, "backfill-min-batch", "STEADY_BACKFILL_MIN_BATCH", 100, "smallest batch, in keys")
	int64Flag(f, &c.MaxBatch, "backfill-max-batch", "STEADY_BACKFILL_MAX_BATCH", 100_000, "largest batch, in keys")
	f.duration(&c.AttemptDuration, "backfill-attempt", "STEADY_BACKFILL_ATTEMPT", time.Minute, "how long one job attempt works before it snoozes to continue (short attempts: a crashed worker's job is rescued soon)")
	f.duration(&c.LockTimeout, "backfill-lock-timeout", "STEADY_BACKFILL_LOCK_TIMEOUT", 2*time.Second, "SET LOCAL lock_timeout of each batch")
	f.duration(&c.StatementTimeout, "backfill-statement-timeout", "STEADY_BACKFILL_STATEMENT_TIMEOUT", 30*time.Second, "SET LOCAL statement_timeout of each batch")
	intFlag(f, &c.MaxLockWaiters, "backfill-max-lock-waiters", "STEADY_BACKFILL_MAX_LOCK_WAITERS", 0, "sessions waiting for a lock on the table before batches wait")
	f.duration(&c.MaxXactAge, "backfill-max-xact-age", "STEADY_BACKFILL_MAX_XACT_AGE", 10*time.Minute, "oldest other open transaction before batches wait (vacuum cannot keep up); -1s: ignore")
	f.duration(&c.MaxReplicaLag, "backfill-max-replica-lag", "STEADY_BACKFILL_MAX_REPLICA_LAG", 10*time.Second, "replica replay lag before batches wait; -1s: ignore")
	floatFlag(f, &s.yield, "backfill-yield", "STEADY_BACKFILL_YIELD", backfills.DefaultYield,
		fmt.Sprintf("how far batches give way to the application: after each batch a slice waits yield × (other sessions active in the database) × the batch's duration; 0: full speed, up to %d", backfills.MaxYield))
	f.string(&s.onStart, "backfill-on-start", "STEADY_BACKFILL_ON_START", string(wiring.OnStartNew),
		"backfills the worker starts when it starts: new (each that never ran), all (every one, as db_run_backfills.py --all), none")
	return s
}

// config checks the settings together; a bad one is a usage error.
func (s *backfillSettings) config() (wiring.BackfillConfig, error) {
	scheds, err := s.schedules.resolve()
	if err != nil {
		return wiring.BackfillConfig{}, err
	}
	if s.yield < 0 || s.yield > backfills.MaxYield || math.IsNaN(s.yield) {
		return wiring.BackfillConfig{}, usageErr(fmt.Errorf("--backfill-yield / STEADY_BACKFILL_YIELD=%g: want 0 (full speed) to %d", s.yield, backfills.MaxYield))
	}
	s.runner.Yield = s.yield
	if s.yield == 0 {
		s.runner.Yield = -1 // the Config's zero value is its default
	}
	if err := s.runner.Validate(); err != nil {
		return wiring.BackfillConfig{}, usageErr(err)
	}
	mode := wiring.OnStart(s.onStart)
	switch mode {
	case wiring.OnStartNew, wiring.OnStartAll, wiring.OnStartNone:
	default:
		return wiring.BackfillConfig{}, usageErr(fmt.Errorf("--backfill-on-start / STEADY_BACKFILL_ON_START=%q: want new, all or none", s.onStart))
	}
	return wiring.BackfillConfig{Runner: s.runner, Schedules: scheds, OnStart: mode}, nil
}

func floatFlag(f *flags, p *float64, name, env string, def float64, usage string) {
	v := def
	if s, ok := os.LookupEnv(env); ok && s != "" {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil && f.err == nil {
			f.err = fmt.Errorf("%s=%q: want a number", env, s)
		}
		v = x
	}
	f.fs.Float64Var(p, name, v, f.describe(usage, env))
}

func int64Flag(f *flags, p *int64, name, env string, def int64, usage string) {
	f.fs.Int64Var(p, name, envInt(f, env, def), f.describe(usage, env))
}

func intFlag(f *flags, p *int, name, env string, def int, usage string) {
	f.fs.IntVar(p, name, int(envInt(f, env, int64(def))), f.describe(usage, env))
}

// envInt is env's integer value, or def when it is unset; a bad value is recorded in f.err.
func envInt(f *flags, env string, def int64) int64 {
	s, ok := os.LookupEnv(env)
	if !ok || s == "" {
		return def
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if f.err == nil {
			f.err = fmt.Errorf("%s=%q: want an integer", env, s)
		}
		return def
	}
	return n
}
