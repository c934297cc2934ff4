package backfills

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// cost is a batch's duration in a model of the database: a fixed overhead per batch (round
// trips, commit) plus a cost per key, with noise.
type cost struct {
	overhead time.Duration
	perKey   time.Duration
	noise    float64 // relative, uniform ±
	r        *rand.Rand
}

func (c cost) of(size int64) time.Duration {
	d := float64(c.overhead) + float64(c.perKey)*float64(size)
	if c.noise > 0 {
		d *= 1 + c.noise*(2*c.r.Float64()-1)
	}
	return time.Duration(d)
}

func TestSizer(t *testing.T) {
	t.Parallel()
	const target = 200 * time.Millisecond

	t.Run("ConvergesToTheTargetInAFewBatches", func(t *testing.T) {
		t.Parallel()
		for _, c := range []cost{
			{overhead: 2 * time.Millisecond, perKey: 4 * time.Microsecond},   // ideal ≈ 49 500 keys
			{overhead: 5 * time.Millisecond, perKey: 100 * time.Microsecond}, // ideal ≈ 1 950 keys
			{overhead: time.Millisecond, perKey: 20 * time.Microsecond},      // ideal ≈ 9 950 keys
		} {
			s := newSizer(target, 100, 100_000, 1_000)
			batches := 0
			for ; batches < 20; batches++ {
				took := c.of(s.next())
				if math.Abs(float64(took-target)) < 0.1*float64(target) {
					break
				}
				s.observe(s.next(), took)
			}
			require.Less(t, batches, 8, "from 1 000 keys to the target within 8 batches (GitLab's ×1.2 steps take ~20 adjustments)")
		}
	})

	t.Run("StaysNearTheTargetWithNoise", func(t *testing.T) {
		t.Parallel()
		c := cost{overhead: 2 * time.Millisecond, perKey: 20 * time.Microsecond, noise: 0.3, r: rand.New(rand.NewPCG(1, 2))}
		s := newSizer(target, 100, 100_000, 1_000)
		var durations []time.Duration
		for i := range 300 {
			took := c.of(s.next())
			s.observe(s.next(), took)
			if i >= 20 {
				durations = append(durations, took)
			}
		}
		var sum time.Duration
		for _, d := range durations {
			sum += d
		}
		mean := sum / time.Duration(len(durations))
		require.InDelta(t, float64(target), float64(mean), 0.15*float64(target), "mean %s", mean)
	})

	t.Run("ShrinksAtOnceWhenTheTableGetsSlow", func(t *testing.T) {
		t.Parallel()
		s := newSizer(target, 100, 100_000, 20_000)
		s.observe(20_000, 2*time.Second) // ten times the target
		require.LessOrEqual(t, s.next(), int64(2_200))
	})

	t.Run("StaysWithinBounds", func(t *testing.T) {
		t.Parallel()
		s := newSizer(target, 100, 5_000, 1_000)
		for range 10 {
			s.observe(s.next(), time.Millisecond)
		}
		require.Equal(t, int64(5_000), s.next())
		for range 10 {
			s.observe(s.next(), time.Minute)
		}
		require.Equal(t, int64(100), s.next())
		require.Equal(t, int64(100), newSizer(target, 100, 5_000, 1).next())
	})

	t.Run("TimeoutHalves", func(t *testing.T) {
		t.Parallel()
		s := newSizer(target, 100, 100_000, 8_000)
		s.timedOut()
		require.Equal(t, int64(4_000), s.next())
		s.observe(4_000, target) // the next observation starts a fresh estimate
		require.Equal(t, int64(4_000), s.next())
	})
}

func TestSplitRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from, to int64
		n        int
	}{
		{0, 100, 1}, {0, 100, 4}, {0, 100, 3}, {7, 10, 8}, {-50, 50, 7}, {0, 1, 4},
		{math.MinInt64, math.MaxInt64, 5}, {1 << 40, 1<<40 + 999_999, 16},
	} {
		rs := splitRange(tc.from, tc.to, tc.n)
		require.LessOrEqual(t, len(rs), tc.n)
		require.Equal(t, tc.from, rs[0][0], "%+v", tc)
		require.Equal(t, tc.to, rs[len(rs)-1][1], "%+v", tc)
		for i, r := range rs {
			require.Less(t, r[0], r[1], "%+v: range %d is empty", tc, i)
			if i > 0 {
				require.Equal(t, rs[i-1][1], r[0], "%+v: ranges %d and %d must meet", tc, i-1, i)
			}
		}
	}
	require.Equal(t, [][2]int64{{0, 0}}, splitRange(0, 0, 4), "an empty range is one empty slice")
}

func TestRunState(t *testing.T) {
	t.Parallel()
	for want, tc := range map[State]struct {
		counts  [6]int // pending, running, paused, done, failed, cancelled
		started bool
	}{
		StatePending:   {[6]int{2, 0, 0, 0, 0, 0}, false},
		StateRunning:   {[6]int{1, 0, 0, 1, 0, 0}, true},
		StatePaused:    {[6]int{0, 0, 2, 1, 0, 0}, true},
		StateDone:      {[6]int{0, 0, 0, 3, 0, 0}, true},
		StateFailed:    {[6]int{0, 0, 0, 2, 1, 0}, true},
		StateCancelled: {[6]int{0, 0, 0, 1, 0, 2}, true},
	} {
		require.Equal(t, want, runState(tc.counts, tc.started))
	}
}

func TestHoldBack(t *testing.T) {
	t.Parallel()
	cfg := Config{}.withDefaults()
	check := func(h health, c Config, reason, contains string) {
		t.Helper()
		r, why := h.holdBack(c, "leads")
		require.Equal(t, reason, r)
		require.Contains(t, why, contains)
		if reason == "" {
			require.Empty(t, why)
		}
	}
	check(health{}, cfg, "", "")
	check(health{Waiters: 2}, cfg, ReasonLockWaiters, "2 session(s) waiting for a lock on leads")
	check(health{XactAge: 11 * time.Minute, XactDetail: "pid 7"}, cfg, ReasonXactAge, "open for 11m0s (pid 7)")
	check(health{ReplicaLag: 12 * time.Second}, cfg, ReasonReplicaLag, "replica replay lag 12s")
	off := cfg
	off.MaxXactAge, off.MaxReplicaLag = -1, -1
	check(health{XactAge: time.Hour, ReplicaLag: time.Hour}, off, "", "")
}
