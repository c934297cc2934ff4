// Package backoff is how steady waits before trying again: with jitter, so that replicas and
// runners that failed together do not retry in step, and never past the caller's context.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Jitter spreads d uniformly over d×(1−spread) … d×(1+spread): Jitter(d, 0.1) is d ±10 %.
func Jitter(d time.Duration, spread float64) time.Duration {
	return time.Duration(float64(d) * (1 - spread + 2*spread*rand.Float64()))
}

// Sleep waits d, or less when ctx ends first (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Linear retries f while retryable says its error is worth another try, at most attempts
// times in all, waiting base × the attempt number ±50 % between tries (a lock held for a while
// is likely to be held a while longer). onRetry, when set, hears of each wait. It returns the
// last error, and the number of attempts made.
func Linear(ctx context.Context, attempts int, base time.Duration, retryable func(error) bool, f func() error,
	onRetry func(attempt int, wait time.Duration, err error)) (int, error) {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || !retryable(err) || attempt >= attempts {
			return attempt, err
		}
		wait := Jitter(base*time.Duration(attempt), 0.5)
		if onRetry != nil {
			onRetry(attempt, wait, err)
		}
		if Sleep(ctx, wait) != nil {
			return attempt, err
		}
	}
}
