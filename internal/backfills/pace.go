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
// the count was 0.0 in every phase without pgbench and 0.3 to 1.9 in every phase with it, so it
// tells a busy application from an idle one without a threshold; the POOLER's round trip of
// SELECT 1 against its idle median overlapped (0.7-1.9 idle, 0.7-3.3 busy). The round trip
// followed pgbench's p99 more closely (Spearman 0.74 per second, against 0.25 for the count),
// but on that machine p99 moved with the other work on the host, which waiting does not
// relieve; WAL rate, sessions waiting on WAL and autovacuum on the table did not predict it.
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
