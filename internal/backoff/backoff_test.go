package backoff_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/backoff"
)

func TestJitter(t *testing.T) {
	t.Parallel()
	seen := map[bool]bool{}
	for range 1000 {
		d := backoff.Jitter(time.Second, 0.1)
		require.GreaterOrEqual(t, d, 900*time.Millisecond)
		require.LessOrEqual(t, d, 1100*time.Millisecond)
		seen[d < time.Second] = true
	}
	require.Len(t, seen, 2, "both sides of the base are drawn")
}

func TestLinear(t *testing.T) {
	t.Parallel()
	busy, broken := errors.New("busy"), errors.New("broken")
	retryable := func(err error) bool { return errors.Is(err, busy) }

	t.Run("RetriesUntilItWorks", func(t *testing.T) {
		t.Parallel()
		calls := 0
		var waits []time.Duration
		n, err := backoff.Linear(context.Background(), 5, time.Millisecond, retryable, func() error {
			if calls++; calls < 3 {
				return busy
			}
			return nil
		}, func(attempt int, wait time.Duration, err error) { waits = append(waits, wait) })
		require.NoError(t, err)
		require.Equal(t, 3, n)
		require.Len(t, waits, 2)
		require.LessOrEqual(t, waits[1], 3*time.Millisecond, "attempt 2 waits 2 ms ±50 %")
	})

	t.Run("GivesUpAfterTheAttempts", func(t *testing.T) {
		t.Parallel()
		n, err := backoff.Linear(context.Background(), 3, time.Microsecond, retryable, func() error { return busy }, nil)
		require.ErrorIs(t, err, busy)
		require.Equal(t, 3, n)
	})

	t.Run("OtherErrorsAreNotRetried", func(t *testing.T) {
		t.Parallel()
		n, err := backoff.Linear(context.Background(), 3, time.Microsecond, retryable, func() error { return broken }, nil)
		require.ErrorIs(t, err, broken)
		require.Equal(t, 1, n)
	})

	t.Run("StopsWhenTheContextEnds", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		n, err := backoff.Linear(ctx, 10, time.Hour, retryable, func() error { return busy },
			func(int, time.Duration, error) { cancel() })
		require.ErrorIs(t, err, busy)
		require.Equal(t, 1, n, "the wait ends with the context")
	})
}
