package backfills

import (
	"cmp"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/steadydb/steady/internal/bookkeeping"
)

// DefaultYield is the pace controller's default (Config.Yield), chosen from the sweep in
// docs/benchmarks.md.
const DefaultYield = 1.0

// MaxYield bounds Config.Yield.
const MaxYield = 100

// Config configures how slices are worked. Zero values take the defaults.
type Config struct {
	Schema           bookkeeping.Schema // where steady's tables and River's are; default public
	TargetBatch      time.Duration      // batch duration the sizer aims at; default 200ms
	MinBatch         int64              // keys per batch, lower bound; default 100
	MaxBatch         int64              // keys per batch, upper bound; default 100 000
	InitialBatch     int64              // first batch of a slice; default 1 000
	AttemptDuration  time.Duration      // work per job attempt before it snoozes to continue; default 1m
	LockTimeout      time.Duration      // SET LOCAL lock_timeout of each batch; default 2s
	StatementTimeout time.Duration      // SET LOCAL statement_timeout of each batch; default 30s
	CountTimeout     time.Duration      // bound of counting a slice's work in its first attempt (count.go); default 30s
	MaxLockWaiters   int                // sessions waiting for a lock on the table before batches wait; default 0
	MaxXactAge       time.Duration      // oldest other transaction before batches wait; default 10m, <0 off
	MaxReplicaLag    time.Duration      // replica replay lag before batches wait; default 10s, <0 off
	HealthEvery      time.Duration      // how often health is read between batches; default 1s
	// Yield is how far batches give way to the application (pace.go): after each batch a slice
	// waits Yield × (other sessions active in the database, smoothed) × the batch's duration.
	// Default DefaultYield; <0 never waits (full speed).
	Yield      float64
	MaxBackoff time.Duration // longest wait when held back or after a transient error; default 30s
	// IdleTimeout is each batch's SET LOCAL idle_in_transaction_session_timeout: a worker paused
	// or cut off in the middle of a batch (SIGSTOP, a frozen VM) must not hold the slice's row
	// lock, and so the next owner, for longer than this. Default 20s (the worker sets its
	// dead-after bound).
	IdleTimeout time.Duration
	// Fence is called when an attempt finds that a later attempt of its own job holds its slice:
	// the job was given away because this worker was declared dead. The worker must stop at
	// once (steady worker exits) rather than report the job's outcome over the new attempt's.
	Fence  func(error)
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	c.TargetBatch = cmp.Or(c.TargetBatch, 200*time.Millisecond)
	c.MinBatch = cmp.Or(c.MinBatch, 100)
	c.MaxBatch = cmp.Or(c.MaxBatch, 100_000)
	c.InitialBatch = cmp.Or(c.InitialBatch, 1_000)
	c.AttemptDuration = cmp.Or(c.AttemptDuration, time.Minute)
	c.LockTimeout = cmp.Or(c.LockTimeout, 2*time.Second)
	c.StatementTimeout = cmp.Or(c.StatementTimeout, 30*time.Second)
	c.CountTimeout = cmp.Or(c.CountTimeout, 30*time.Second)
	c.MaxXactAge = cmp.Or(c.MaxXactAge, 10*time.Minute)
	c.MaxReplicaLag = cmp.Or(c.MaxReplicaLag, 10*time.Second)
	c.HealthEvery = cmp.Or(c.HealthEvery, time.Second)
	c.Yield = cmp.Or(c.Yield, DefaultYield)
	c.MaxBackoff = cmp.Or(c.MaxBackoff, 30*time.Second)
	c.IdleTimeout = cmp.Or(c.IdleTimeout, 20*time.Second)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Validate reports the first setting that cannot work, naming it.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.TargetBatch < time.Millisecond:
		return fmt.Errorf("backfill target batch duration %s: want at least 1ms", c.TargetBatch)
	case c.MinBatch < 1 || c.MaxBatch < c.MinBatch:
		return fmt.Errorf("backfill batch bounds [%d, %d]: want 1 <= min <= max", c.MinBatch, c.MaxBatch)
	case c.StatementTimeout <= c.TargetBatch:
		return fmt.Errorf("backfill statement timeout %s: want more than the target batch duration %s", c.StatementTimeout, c.TargetBatch)
	case c.LockTimeout <= 0 || c.LockTimeout > c.StatementTimeout:
		return fmt.Errorf("backfill lock timeout %s: want more than 0 and at most the statement timeout %s", c.LockTimeout, c.StatementTimeout)
	case c.AttemptDuration < time.Second:
		return fmt.Errorf("backfill attempt duration %s: want at least 1s", c.AttemptDuration)
	case c.MaxLockWaiters < 0:
		return fmt.Errorf("backfill max lock waiters %d: want 0 or more", c.MaxLockWaiters)
	case c.IdleTimeout < 100*time.Millisecond:
		return fmt.Errorf("backfill idle-in-transaction timeout %s: want at least 100ms", c.IdleTimeout)
	case c.Yield > MaxYield || math.IsNaN(c.Yield):
		return fmt.Errorf("backfill yield %g: want 0 (full speed) to %d", c.Yield, MaxYield)
	}
	return nil
}

// JobTimeout bounds one attempt: its working time and the batch in flight when the time is up,
// plus a margin. It is finite so that River rescues the job of a crashed worker (a timeout of -1
// is never rescued).
func (c Config) JobTimeout() time.Duration {
	c = c.withDefaults()
	return c.AttemptDuration + c.StatementTimeout + 30*time.Second
}
