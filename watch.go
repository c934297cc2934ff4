package steady

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/liveness"
)

// FollowOpts says how to follow runs or builds until they end.
type FollowOpts struct {
	// Every is how often progress is read; default 500ms for backfills, 1s for index builds.
	Every time.Duration
	// NoWorkerTimeout ends the follow with a *NoWorkerError once no worker has been alive for
	// this long; 0 waits for one forever.
	NoWorkerTimeout time.Duration
	// Progress, when set, receives the runs' status at each read (backfills).
	Progress func([]BackfillStatus)
	// Say, when set, receives lines worth telling a person: no worker is running, one came, a
	// build's phase changed.
	Say func(string)
	// TimeoutName names NoWorkerTimeout's setting in those lines and in the *NoWorkerError
	// ("--wait-timeout"); "" names none.
	TimeoutName string
}

func (o FollowOpts) timeoutText() string {
	if o.TimeoutName == "" {
		return ""
	}
	return ", " + o.TimeoutName
}

func (o FollowOpts) say(line string) {
	if o.Say != nil {
		o.Say(line)
	}
}

// workerCheckEvery bounds how often a follow reads steady_workers while some are alive.
const workerCheckEvery = 2 * time.Second

// workerWatch is what a follow knows about the workers: it says at once when none is alive,
// says when one appears, and gives up once none has been alive for the timeout.
type workerWatch struct {
	opts   FollowOpts
	what   string // "the runs", "the builds": what stays enqueued
	q      liveness.Querier
	schema bookkeeping.Schema

	checked   time.Time
	noneSince time.Time // local clock: when this follow first saw no live worker
	alive     int
}

// check reads the live workers (at most every workerCheckEvery while some are alive) and
// returns a *NoWorkerError once none has been alive for the timeout.
func (w *workerWatch) check(ctx context.Context) error {
	// While none is alive, look at every tick: the line saying one came is what the user waits for.
	if !w.checked.IsZero() && w.noneSince.IsZero() && time.Since(w.checked) < workerCheckEvery {
		return w.expired()
	}
	w.checked = time.Now()
	census, err := liveness.Read(ctx, w.q, w.schema)
	if err != nil {
		return err
	}
	switch n := len(census.Alive); {
	case n == 0 && w.noneSince.IsZero():
		w.noneSince = time.Now()
		msg := "no worker is running: start `steady worker`; waiting…"
		if w.alive > 0 {
			msg = "no worker is running any more: start `steady worker`; waiting…"
		}
		if t := w.opts.NoWorkerTimeout; t > 0 {
			msg = strings.TrimSuffix(msg, "…") + fmt.Sprintf(" (at most %s%s)…", t, w.opts.timeoutText())
		}
		w.opts.say(msg)
	case n > 0 && !w.noneSince.IsZero():
		w.opts.say(census.Summary() + ": following")
		w.noneSince = time.Time{}
	}
	w.alive = len(census.Alive)
	return w.expired()
}

func (w *workerWatch) none() bool { return !w.noneSince.IsZero() }

func (w *workerWatch) expired() error {
	t := w.opts.NoWorkerTimeout
	if t == 0 || w.noneSince.IsZero() || time.Since(w.noneSince) < t {
		return nil
	}
	return &NoWorkerError{Waited: t, What: w.what, Setting: w.opts.TimeoutName}
}
