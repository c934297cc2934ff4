package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/steadydb/steady/internal/indexes"
)

// indexWindowSetting is --index-window / STEADY_INDEX_WINDOW, read by the worker (builds start
// only inside it) and by steady indexes status (when it opens next).
type indexWindowSetting struct{ spec string }

func (w *indexWindowSetting) setting() setting {
	return setting{"index-window", "STEADY_INDEX_WINDOW",
		`when index builds may start: a cron spec (optionally CRON_TZ=Zone first; UTC otherwise) and a duration, such as "0 2 * * * 4h"; empty: any time`,
		text(&w.spec, "")}
}

// parse returns the window, nil when none is set; a bad one is a usage error naming the setting.
func (w *indexWindowSetting) parse() (*indexes.Window, error) {
	win, err := indexes.ParseWindow(w.spec)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--index-window / STEADY_INDEX_WINDOW: %w", err))
	}
	return win, nil
}

// printIndexWindow says whether builds may start now, and until or from when.
func printIndexWindow(out io.Writer, w *indexes.Window, now time.Time) {
	if w == nil {
		return
	}
	loc, err := time.LoadLocation(w.Zone)
	if err != nil {
		loc = time.UTC
	}
	if open, until := w.Open(now); open {
		fmt.Fprintf(out, "build window %s: open until %s\n", w, until.In(loc).Format("2006-01-02 15:04 MST"))
		return
	}
	next := w.NextOpen(now)
	if next.IsZero() {
		fmt.Fprintf(out, "build window %s: never opens again\n", w)
		return
	}
	fmt.Fprintf(out, "build window %s: closed; builds start when it opens at %s (in %s)\n", w,
		next.In(loc).Format("2006-01-02 15:04 MST"), next.Sub(now).Round(time.Minute))
}
