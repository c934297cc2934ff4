package backfills

import (
	"fmt"
	"time"
)

// pace is the controller that makes a slice give way to the application. It works with the
// sizer, which keeps every batch near the target duration (short row locks, a short burst of
// work); pace decides how long to wait after each batch:
//
//	wait = nice × the last batch's duration      (gh-ost's --nice-ratio)
//	nice = Yield × sessions of others active in the database (smoothed), at most maxNice
//
// The number of other active sessions is pt-online-schema-change's Threads_running in
// PostgreSQL: client backends of this database running a statement, not steady's own (its
// application_name). It is read in the batch's own transaction, so it costs no round trip.
// With the application idle the slice works back to back; as sessions of the application
// become active it waits longer, and speeds up again when they finish.
//
// Why this signal (docs/benchmarks.md, "Which signals predict pgbench's p99", 2 shared cores):
// the count tells an idle application (0.0 in every phase without pgbench) from a busy one
// (0.4 to 1.5) without a threshold. No candidate predicted pgbench's p99 in every run: the
// POOLER's round trip of SELECT 1 against its idle median had a Spearman correlation of 0.74
// (while tests ran), 0.63, then 0.22 per second, and its ratio under load overlapped the idle
// one; WAL rate, sessions waiting on WAL, autovacuum on the table and the batch's own slowdown
// did no better. What held in every run is the phases' p99 falling as the share of time the
// batches run falls, and that share is what the yield sets.
type pace struct {
	yield  float64
	active float64 // others' active sessions, smoothed
	seen   bool
	nice   float64
}

// maxNice bounds the wait to 20 batches' time: under any load the slice still moves, and the
// throttles (lock waiters, old transactions, replica lag) are what stops it.
const maxNice = 20

// paceSmoothing is the weight of a new reading: a burst of one batch moves nice by a third.
const paceSmoothing = 1.0 / 3

func newPace(yield float64) *pace { return &pace{yield: max(yield, 0)} }

// observe folds in the count of other active sessions read at the start of a batch.
func (p *pace) observe(active int) {
	if !p.seen {
		p.active, p.seen = float64(active), true
	} else {
		p.active = paceSmoothing*float64(active) + (1-paceSmoothing)*p.active
	}
	p.nice = min(p.yield*p.active, maxNice)
	if p.nice < 0.05 {
		p.nice = 0 // an idle application: no wait at all, not a token one
	}
}

// wait is how long to wait after a batch that took took.
func (p *pace) wait(took time.Duration) time.Duration {
	return time.Duration(p.nice * float64(took))
}

// reason explains the wait, or "" when the slice works back to back.
func (p *pace) reason() string {
	if p.nice == 0 {
		return ""
	}
	return fmt.Sprintf("yielding to the application: %.1f other sessions active; waiting %.1f× each batch", p.active, p.nice)
}
