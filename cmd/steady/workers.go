package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/steadydb/steady/internal/bookkeeping"
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

// workerWatch is what --wait knows about the workers: it says at once when none is alive,
// says when one appears, and gives up with exit 5 when none has been alive for the timeout.
type workerWatch struct {
	timeout time.Duration
	out     io.Writer
	what    string // "the runs", "the builds": what stays enqueued
	schema  bookkeeping.Schema

	checked   time.Time
	noneSince time.Time // local clock: when this command first saw no live worker
	alive     int
}

// workerCheckEvery bounds how often --wait reads steady_workers.
const workerCheckEvery = 2 * time.Second

// check reads the live workers (at most every workerCheckEvery) and returns a non-nil error,
// exit 5, once none has been alive for the timeout. printed reports a line it wrote.
func (w *workerWatch) check(ctx context.Context, q liveness.Querier) (printed bool, err error) {
	// While none is alive, look at every tick: the line saying one came is what the user waits for.
	if !w.checked.IsZero() && w.noneSince.IsZero() && time.Since(w.checked) < workerCheckEvery {
		return false, w.expired()
	}
	w.checked = time.Now()
	census, err := liveness.Read(ctx, q, w.schema)
	if err != nil {
		return false, err
	}
	switch n := len(census.Alive); {
	case n == 0 && w.noneSince.IsZero():
		w.noneSince = time.Now()
		msg := "no worker is running: start `steady worker`; waiting…"
		if w.alive > 0 {
			msg = "no worker is running any more: start `steady worker`; waiting…"
		}
		if w.timeout > 0 {
			msg = strings.TrimSuffix(msg, "…") + fmt.Sprintf(" (at most %s, --wait-timeout)…", w.timeout)
		}
		fmt.Fprintln(w.out, msg)
		printed = true
	case n > 0 && !w.noneSince.IsZero():
		fmt.Fprintf(w.out, "%s: following\n", workersLine(census))
		w.noneSince, printed = time.Time{}, true
	}
	w.alive = len(census.Alive)
	return printed, w.expired()
}

func (w *workerWatch) expired() error {
	if w.timeout == 0 || w.noneSince.IsZero() || time.Since(w.noneSince) < w.timeout {
		return nil
	}
	return &exitError{code: exitNoWorker, err: fmt.Errorf("no worker was running for %s (--wait-timeout): %s stay enqueued and go on when `steady worker` starts",
		w.timeout, w.what)}
}

// workersLine says how many workers are alive and since when, by the server's clock:
// "workers: 2 alive (host-a pid 12 since 13:02:11, up 4m; host-b pid 7 since …)" or
// "workers: none alive (the last heartbeat was 3m ago, at 13:05:02Z)".
func workersLine(c liveness.Census) string {
	if len(c.Alive) == 0 {
		if c.LastHeartbeat == nil {
			return "workers: none alive (none has ever run against this database)"
		}
		return fmt.Sprintf("workers: none alive (the last heartbeat was %s ago, at %s)",
			c.Now.Sub(*c.LastHeartbeat).Round(time.Second), c.LastHeartbeat.UTC().Format(time.RFC3339))
	}
	parts := make([]string, len(c.Alive))
	for i, w := range c.Alive {
		parts[i] = fmt.Sprintf("%s pid %d since %s, up %s", w.Host, w.PID, w.StartedAt.UTC().Format(time.RFC3339), w.Up.Round(time.Second))
	}
	return fmt.Sprintf("workers: %d alive (%s)", len(c.Alive), strings.Join(parts, "; "))
}
