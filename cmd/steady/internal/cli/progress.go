package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/steadydb/steady/internal/backfills"
)

// progress shows the runs that backfill enqueue --wait follows: a progress bar redrawn in place
// on a terminal, plain lines otherwise (logs, pipes, CI), which carry no escape code and no
// carriage return.
type progress interface {
	// update shows the runs' latest state.
	update(sts []backfills.RunStatus)
	// lines is where other messages go (the worker watch's), above the bar on a terminal.
	lines() io.Writer
	// finish shows the runs' final state, one line each.
	finish(sts []backfills.RunStatus)
	// close ends the view when following stops early (no worker, a signal): what comes next
	// starts on a line of its own.
	close()
}

func newProgress(w io.Writer, start time.Time) progress {
	if isTerminal(w) {
		return newBarProgress(w, start)
	}
	return &plainProgress{w: w, start: start, last: map[string]backfills.State{}, printed: map[string]time.Time{}}
}

// plainProgress prints a line for a run when its state changes, and every plainEvery while it
// does not.
type plainProgress struct {
	w       io.Writer
	start   time.Time
	last    map[string]backfills.State
	printed map[string]time.Time
}

func (p *plainProgress) update(sts []backfills.RunStatus) {
	for _, st := range sts {
		if st.State != p.last[st.Backfill] || time.Since(p.printed[st.Backfill]) >= plainEvery {
			fmt.Fprintln(p.w, plainLine(st, p.start))
			p.last[st.Backfill], p.printed[st.Backfill] = st.State, time.Now()
		}
	}
}

func (p *plainProgress) lines() io.Writer                 { return p.w }
func (p *plainProgress) finish(sts []backfills.RunStatus) { p.update(sts) }
func (p *plainProgress) close()                           {}

// barProgress is one bar for all the runs followed: how far they are together, and a
// description cut to the terminal's width, so that the line never wraps.
type barProgress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	start time.Time
	drawn bool // the bar is on the current line
}

// barSteps is the bar's resolution: per mille.
const barSteps = 1000

func newBarProgress(w io.Writer, start time.Time) *barProgress {
	return &barProgress{w: w, start: start, bar: progressbar.NewOptions64(barSteps,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(24),
		progressbar.OptionSetTheme(progressbar.Theme{Saucer: "█", SaucerPadding: "░", BarStart: "[", BarEnd: "]"}),
		progressbar.OptionSetPredictTime(false), // the runs' own ETA is in the description
		progressbar.OptionUseANSICodes(true),    // clear the line, not overwrite it with spaces
		progressbar.OptionThrottle(0),
	)}
}

func (b *barProgress) update(sts []backfills.RunStatus) {
	b.bar.Describe(b.fit(barDescription(sts)) + " ")
	// Full only in finish: a full bar stops drawing.
	_ = b.bar.Set64(min(int64(overall(sts)*barSteps), barSteps-1))
	b.drawn = true
}

// fit cuts the description so that it and the bar fit on one line (the bar then shrinks to
// the rest, down to nothing).
func (b *barProgress) fit(s string) string {
	f, ok := b.w.(interface{ Fd() uintptr })
	if !ok {
		return s
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return s
	}
	const bar = 24 + 10 // the bar, its brackets, the percentage and spaces
	if r := []rune(s); width > bar && len(r) > width-bar {
		return string(r[:width-bar-1]) + "…"
	}
	return s
}

func (b *barProgress) lines() io.Writer { return aboveBar{b} }

func (b *barProgress) close() {
	if b.drawn {
		fmt.Fprintln(b.w) // the bar stays, as it was last
		b.drawn = false
	}
}

func (b *barProgress) finish(sts []backfills.RunStatus) {
	_ = b.bar.Clear()
	_ = b.bar.Exit()
	b.drawn = false
	for _, st := range sts {
		fmt.Fprintln(b.w, plainLine(st, b.start))
	}
}

// aboveBar writes a message where the bar was; the next update draws the bar below it.
type aboveBar struct{ b *barProgress }

func (a aboveBar) Write(p []byte) (int, error) {
	_ = a.b.bar.Clear()
	a.b.drawn = false
	return a.b.w.Write(p)
}

// barDescription is what the bar says: the run, or how many runs are where.
func barDescription(sts []backfills.RunStatus) string {
	if len(sts) == 1 {
		st := sts[0]
		s := fmt.Sprintf("%s: %s rows, %s, ETA %s, %s", st.Backfill, thousands(st.RowsDone), rateText(st.RatePerS), etaFor(st), st.State)
		if st.State == backfills.StateStalled {
			s += " (" + st.Stalled + ")"
		}
		if st.Throttled != "" && st.State == backfills.StateRunning {
			s += " (held back: " + st.Throttled + ")"
		}
		return s
	}
	var rows int64
	count := map[backfills.State]int{}
	var order []string
	for _, st := range sts {
		rows += st.RowsDone
		if count[st.State] == 0 {
			order = append(order, string(st.State))
		}
		count[st.State]++
	}
	parts := make([]string, len(order))
	for i, s := range order {
		parts[i] = fmt.Sprintf("%d %s", count[backfills.State(s)], s)
	}
	return fmt.Sprintf("%d runs (%s): %s rows", len(sts), strings.Join(parts, ", "), thousands(rows))
}

// overall is how far the runs are together, each counting alike.
func overall(sts []backfills.RunStatus) float64 {
	if len(sts) == 0 {
		return 0
	}
	sum := 0.0
	for _, st := range sts {
		sum += fraction(st)
	}
	return sum / float64(len(sts))
}
