package indexes

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/steadydb/steady/internal/cronspec"
)

// Window is when index builds may start: from each time of a cron schedule, for a
// duration ("0 2 * * * 4h": from 02:00 UTC for four hours). A build that started inside the
// window runs to its end: cancelling a concurrent build throws its work away.
type Window struct {
	Spec     string        // the cron part as configured; without CRON_TZ= it is read in UTC
	Zone     string        // the IANA zone the spec is read in
	Duration time.Duration // how long the window stays open from each scheduled time
	schedule cron.Schedule
}

// ParseWindow parses "SPEC DURATION": a standard five-field cron spec or a descriptor
// (@daily), optionally prefixed with CRON_TZ=Zone, then a Go duration (4h, 90m) shorter than a
// week. "" is no window (builds start at any time) and returns nil.
func ParseWindow(s string) (*Window, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	i := strings.LastIndexAny(s, " \t")
	if i < 0 {
		return nil, fmt.Errorf("index build window %q: want a cron spec and a duration, such as \"0 2 * * * 4h\"", s)
	}
	spec, dur := strings.TrimSpace(s[:i]), s[i+1:]
	d, err := time.ParseDuration(dur)
	if err != nil || d <= 0 || d > 7*24*time.Hour {
		return nil, fmt.Errorf("index build window %q: duration %q: want a positive Go duration of at most 168h, such as 4h", s, dur)
	}
	zone, sched, err := cronspec.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("index build window %q: cron spec %q: %w", s, spec, err)
	}
	return &Window{Spec: spec, Zone: zone, Duration: d, schedule: sched}, nil
}

// String is the window as configured.
func (w *Window) String() string { return w.Spec + " " + w.Duration.String() }

// Open reports whether builds may start at now and, if so, when the window closes.
func (w *Window) Open(now time.Time) (bool, time.Time) {
	if w == nil {
		return true, time.Time{}
	}
	// The latest opening at or before now, if the window it began is still open: the first
	// opening after now − Duration.
	start := w.schedule.Next(now.Add(-w.Duration - time.Nanosecond))
	if start.IsZero() || start.After(now) {
		return false, time.Time{}
	}
	// Openings closer together than Duration extend the window (bounded: "@every 1m" never closes).
	end := start.Add(w.Duration)
	for i, n := 0, w.schedule.Next(start); i < 10_000 && !n.IsZero() && !n.After(end); i, n = i+1, w.schedule.Next(n) {
		end = n.Add(w.Duration)
	}
	if !end.After(now) {
		return false, time.Time{}
	}
	return true, end
}

// NextOpen is now when the window is open, else when it opens next (zero when it never does).
func (w *Window) NextOpen(now time.Time) time.Time {
	if open, _ := w.Open(now); open {
		return now
	}
	return w.schedule.Next(now)
}
