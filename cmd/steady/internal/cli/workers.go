package cli

import (
	"math"
	"time"

	"github.com/steadydb/steady/internal/liveness"
)

// waitSettings are the settings of the commands that follow work (--wait) and of the status
// commands that say whether anybody works it.
type waitSettings struct {
	timeout      time.Duration // --wait: how long to wait for a live worker; 0 waits forever
	stalledAfter time.Duration // status: no progress for this long with nobody on it is stalled
}

const (
	defaultWaitTimeout  = time.Minute
	defaultStalledAfter = 30 * time.Second
)

func (s *waitSettings) stalled() setting {
	return setting{"stalled-after", "STEADY_STALLED_AFTER", "status, --wait: a run or build with no progress for this long while no live worker holds it is stalled",
		durationIn(&s.stalledAfter, defaultStalledAfter, time.Millisecond, math.MaxInt64)}
}

func (s *waitSettings) wait() setting {
	return setting{"wait-timeout", "STEADY_WAIT_TIMEOUT", "--wait: exit 5 when no worker is alive for this long (0: wait forever)",
		durationIn(&s.timeout, defaultWaitTimeout, 0, math.MaxInt64)}
}

// workersLine says how many workers are alive and since when, by the server's clock.
func workersLine(c liveness.Census) string { return c.Summary() }
