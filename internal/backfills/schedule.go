package backfills

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/steadydb/steady/internal/cronspec"
)

// Schedule is when a backfill runs by itself. It satisfies river.PeriodicSchedule
// (jobs.BackfillPeriodicJobs makes River's periodic jobs of them).
type Schedule struct {
	Backfill string
	Spec     string // as configured; a spec without a zone is read in UTC
	Zone     string // the IANA zone the spec is read in
	schedule cron.Schedule
}

// ScheduleOff disables a backfill's default schedule.
const ScheduleOff = "off"

// ScheduleError is a schedule that does not parse, naming the backfill.
type ScheduleError struct {
	Backfill string
	Spec     string
	Err      error
}

func (e *ScheduleError) Error() string {
	return fmt.Sprintf("schedule of backfill %s %q: %v", e.Backfill, e.Spec, e.Err)
}
func (e *ScheduleError) Unwrap() error { return e.Err }

// ParseSchedule parses the schedule of one of the catalog's backfills: a standard five-field
// cron spec or a descriptor (@daily, @every 1h), optionally prefixed with CRON_TZ=Zone (or
// TZ=Zone). River asks Next with the process's clock in the process's zone, so a spec without a
// zone is pinned to UTC rather than to wherever the worker happens to run.
func (c Catalog) ParseSchedule(backfill, spec string) (Schedule, error) {
	spec = strings.TrimSpace(spec)
	fail := func(err error) (Schedule, error) {
		return Schedule{}, &ScheduleError{Backfill: backfill, Spec: spec, Err: err}
	}
	if _, ok := c.Lookup(backfill); !ok {
		return fail(c.Unknown(backfill))
	}
	if spec == "" || spec == ScheduleOff {
		return fail(fmt.Errorf("empty (use %q to disable a schedule)", ScheduleOff))
	}
	zone, s, err := cronspec.Parse(spec)
	if err != nil {
		return fail(err)
	}
	return Schedule{Backfill: backfill, Spec: spec, Zone: zone, schedule: s}, nil
}

// ResolveSchedules turns the effective spec of each backfill (after flags, environment
// and the catalog's default) into schedules, sorted by backfill. "" and "off" mean unscheduled.
func (c Catalog) ResolveSchedules(specs map[string]string) ([]Schedule, error) {
	var out []Schedule
	for _, b := range c {
		spec := strings.TrimSpace(specs[b.Name])
		if spec == "" || spec == ScheduleOff {
			continue
		}
		s, err := c.ParseSchedule(b.Name, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	for name := range specs {
		if _, ok := c.Lookup(name); !ok {
			return nil, &ScheduleError{Backfill: name, Spec: specs[name], Err: c.Unknown(name)}
		}
	}
	slices.SortFunc(out, func(a, b Schedule) int { return strings.Compare(a.Backfill, b.Backfill) })
	return out, nil
}

// DefaultSpecs is each backfill's default spec from the catalog.
func (c Catalog) DefaultSpecs() map[string]string {
	specs := map[string]string{}
	for _, b := range c {
		specs[b.Name] = b.Schedule
	}
	return specs
}

// Next is the first scheduled time after t.
func (s Schedule) Next(t time.Time) time.Time { return s.schedule.Next(t) }

// NextRuns is the n scheduled times after from, in the schedule's zone.
func (s Schedule) NextRuns(from time.Time, n int) []time.Time {
	out := make([]time.Time, 0, n)
	for t := from; len(out) < n; {
		t = s.Next(t)
		if t.IsZero() {
			break // a spec that never fires (robfig gives up after five years)
		}
		out = append(out, t)
	}
	return out
}

// Slot is the latest scheduled time at or before now, in UTC: the time a periodic insert at now
// is for, and what makes two inserts for the same night the same job.
func (s Schedule) Slot(now time.Time) time.Time {
	for _, back := range []time.Duration{time.Minute, time.Hour, 25 * time.Hour, 8 * 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour} {
		t := s.Next(now.Add(-back))
		if t.IsZero() || t.After(now) {
			continue
		}
		for {
			n := s.Next(t)
			if n.IsZero() || n.After(now) {
				return t.UTC()
			}
			t = n
		}
	}
	return now.UTC().Truncate(time.Second)
}
