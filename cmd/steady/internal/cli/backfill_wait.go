package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	api "github.com/steadydb/steady"
	"github.com/steadydb/steady/internal/backfills"
)

// plainEvery is how often --wait prints a plain line for a run whose state did not change.
const plainEvery = 5 * time.Second

// follow shows the progress of each named backfill's latest run until every one has ended: a
// progress bar on a terminal, plain lines otherwise (newProgress). Exit 0 when all are done,
// 1 when one failed or was cancelled, 5 when no worker was alive for timeout. A paused or
// stalled run is waited for (someone may resume it, a worker may start).
func follow(ctx context.Context, e *env, client *api.Client, timeout time.Duration, names []string) error {
	view := newProgress(e.stdout, time.Now())
	defer view.close()
	sts, err := client.FollowBackfills(ctx, names, api.FollowOpts{NoWorkerTimeout: timeout, TimeoutName: "--wait-timeout",
		Progress: view.update,
		Say:      func(line string) { fmt.Fprintln(view.lines(), line) }})
	var notDone *api.NotDoneError
	switch {
	case err == nil || errors.As(err, &notDone):
		view.finish(sts)
	}
	if err != nil {
		return &exitError{code: api.ExitCode(err), err: err}
	}
	return nil
}

// plainLine is a run's progress as one line: for logs and pipes, and the final state.
func plainLine(st backfills.RunStatus, start time.Time) string {
	if !st.State.Active() {
		s := fmt.Sprintf("%s: %s, %d rows", st.Backfill, st.State, st.RowsDone)
		if st.Error != "" {
			s += ": " + st.Error
		}
		return s + " (after " + time.Since(start).Round(100*time.Millisecond).String() + ")"
	}
	s := fmt.Sprintf("%s: %s %.0f%% rows_done=%d rows_remaining=%s rate=%s eta=%s", st.Backfill, st.State,
		fraction(st)*100, st.RowsDone, remainingText(st), rateText(st.RatePerS), etaFor(st))
	if st.Throttled != "" {
		s += " held back: " + st.Throttled
	}
	if st.State == backfills.StateStalled {
		s += " stalled since " + st.StalledSince.UTC().Format(time.RFC3339) + ": " + st.Stalled
	}
	return s
}

// fraction is how far a run is: by rows when the remaining work is counted, else by key range.
func fraction(st backfills.RunStatus) float64 {
	if st.State == backfills.StateDone {
		return 1
	}
	if st.RowsRemaining != nil && st.RowsDone+*st.RowsRemaining > 0 {
		return float64(st.RowsDone) / float64(st.RowsDone+*st.RowsRemaining)
	}
	return min(max(st.Progress, 0), 1)
}

// remainingText marks an extrapolated count with "~".
func remainingText(st backfills.RunStatus) string {
	switch {
	case st.RowsRemaining == nil:
		return "?"
	case st.Estimated:
		return fmt.Sprintf("~%d", *st.RowsRemaining)
	}
	return fmt.Sprint(*st.RowsRemaining)
}

func rateText(r float64) string {
	if r <= 0 {
		return "- rows/s"
	}
	return thousands(int64(r+0.5)) + " rows/s"
}

// etaFor is a run's ETA: none for a stalled run (nobody works it), "?" when unknown.
func etaFor(st backfills.RunStatus) string {
	if st.State == backfills.StateStalled {
		return "-"
	}
	return etaText(st.ETASeconds)
}

func etaText(s *float64) string {
	if s == nil {
		return "?"
	}
	return time.Duration(*s * float64(time.Second)).Round(time.Second).String()
}

// thousands writes n with thin separators: 1 234 567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}
