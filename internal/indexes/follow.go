package indexes

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/steadydb/steady/internal/catalog"
)

// FollowedBuild is one table's build job as steady indexes build reports it.
type FollowedBuild struct {
	Enqueued
	Error string `json:"error,omitempty"` // the last attempt's, when followed
}

// BuildReport is what steady indexes build --json prints.
type BuildReport struct {
	Jobs    []FollowedBuild `json:"jobs"`
	Indexes []Status        `json:"indexes,omitempty"` // when followed: the tables' indexes at the end
}

// JobLister reads River jobs (*river.Client[pgx.Tx] is one, insert-only or not).
type JobLister interface {
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
}

// Follower follows index build jobs (steady indexes build --wait). It polls: LISTEN/NOTIFY
// does not pass a transaction pooler.
type Follower struct {
	Jobs    JobLister
	Pool    catalog.Querier // the POOLER
	Catalog *Catalog
	// Print receives the progress lines.
	Print func(line string)
	// Check, when set, is called each round while a job is unfinished: the caller's watch for
	// live workers. It reports whether it saw no live worker; an error stops following.
	Check func(ctx context.Context) (noWorker bool, err error)
	// Every is how often the jobs and the builds' progress are read; default 1s. NoWorkerFor
	// is when a hint says that no worker picked the jobs up although one is alive; default 15s.
	Every, NoWorkerFor time.Duration
}

// Follow prints a line whenever a table's job changes state or its build changes phase, until
// every job has completed, or one has failed an attempt or ended otherwise. It fills in
// report's job states and errors and the final status of the tables' indexes.
func (f *Follower) Follow(ctx context.Context, report *BuildReport) error {
	byID := map[int64]*FollowedBuild{}
	var ids []int64
	for i := range report.Jobs {
		if j := &report.Jobs[i]; j.JobID != 0 {
			byID[j.JobID] = j
			ids = append(ids, j.JobID)
		}
	}
	noWorkerFor := cmp.Or(f.NoWorkerFor, 15*time.Second)
	last := map[string]string{}
	start, hinted := time.Now(), false
	tick := time.NewTicker(cmp.Or(f.Every, time.Second))
	defer tick.Stop()
	for len(ids) > 0 {
		list, err := f.Jobs.JobList(ctx, river.NewJobListParams().IDs(ids...).First(len(ids)))
		if err != nil {
			return err
		}
		progress, err := ReadProgress(ctx, f.Pool)
		if err != nil {
			return err
		}
		ended, started := 0, false
		for _, row := range list.Jobs {
			j := byID[row.ID]
			j.State = row.State
			if n := len(row.Errors); n > 0 && row.Errors[n-1].Attempt > j.Attempt {
				j.Error = row.Errors[n-1].Error
			}
			if line, key := f.describe(j, row, progress); key != last[j.Table] {
				f.Print(line)
				last[j.Table] = key
			}
			if row.FinalizedAt != nil || j.Error != "" {
				ended++
			}
			started = started || row.Attempt > j.Attempt || row.State != rivertype.JobStateAvailable
		}
		if ended == len(list.Jobs) {
			break
		}
		noWorker := false
		if f.Check != nil {
			if noWorker, err = f.Check(ctx); err != nil {
				return err
			}
		}
		// Workers are alive (or the watch said none is) yet nothing was picked up.
		if !started && !hinted && !noWorker && time.Since(start) >= noWorkerFor {
			f.Print(fmt.Sprintf("no worker has picked these jobs up in %s: is steady worker running against this database?", noWorkerFor))
			hinted = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	status, err := ReadStatus(ctx, f.Pool, f.Catalog)
	if err != nil {
		return err
	}
	for _, st := range status {
		if slices.ContainsFunc(report.Jobs, func(j FollowedBuild) bool { return j.Table == st.Table }) {
			report.Indexes = append(report.Indexes, st)
		}
	}
	return nil
}

// Failure says what following saw go wrong, or nil when every index of the tables is valid.
func (r BuildReport) Failure() error {
	var msgs []string
	for _, j := range r.Jobs {
		switch {
		case j.Error != "" && j.State != rivertype.JobStateCompleted:
			msgs = append(msgs, fmt.Sprintf("%s: %s (%s)", j.Table, j.Error, j.State))
		case j.State == rivertype.JobStateCancelled || j.State == rivertype.JobStateDiscarded:
			msgs = append(msgs, fmt.Sprintf("%s: job %s", j.Table, j.State))
		}
	}
	for _, st := range r.Indexes {
		if len(msgs) == 0 && st.State != Valid {
			msgs = append(msgs, fmt.Sprintf("%s is %s after its build completed", st.Name, st.State))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New("index builds failed: " + strings.Join(msgs, "; ") +
		"; a retryable job is retried with backoff (steady indexes status, or fix and run steady indexes build)")
}

// describe is a progress line for a table's job, and the key that changes when the line is
// worth printing again (a build's percentage counts in steps of ten).
func (f *Follower) describe(j *FollowedBuild, row *rivertype.JobRow, progress []Progress) (string, string) {
	prefix := j.Table + ": "
	switch row.State {
	case rivertype.JobStateRunning:
		i := slices.IndexFunc(progress, func(p Progress) bool { return p.Table == j.Table && p.Index != "" })
		if i < 0 {
			line := fmt.Sprintf("%srunning (attempt %d)", prefix, row.Attempt)
			return line, line
		}
		p := progress[i]
		line := fmt.Sprintf("%sbuilding %s%s: %s", prefix, p.Index, f.position(j.Table, p.Index), p)
		return line, fmt.Sprintf("%s %s %s %d", j.Table, p.Index, p.Phase, p.percent()/10)
	case rivertype.JobStateCompleted:
		ixs, _ := f.Catalog.OnTable(j.Table)
		line := fmt.Sprintf("%sdone (%d %s)", prefix, len(ixs), plural(len(ixs), "index", "indexes"))
		return line, line
	case rivertype.JobStateScheduled:
		line := prefix + "waiting (another build runs on the table, or a retry is scheduled)"
		return line, line
	case rivertype.JobStateAvailable:
		line := prefix + "waiting for a worker"
		if j.Error != "" {
			line = fmt.Sprintf("%sattempt %d failed, retrying: %s", prefix, row.Attempt, j.Error)
		}
		return line, line
	}
	line := fmt.Sprintf("%s%s", prefix, row.State)
	if j.Error != "" {
		line += ": " + j.Error
	}
	return line, line
}

// position is " (2/4)": the index's place among its table's catalog indexes.
func (f *Follower) position(table, index string) string {
	ixs, _ := f.Catalog.OnTable(table)
	name := strings.TrimSuffix(index, ReplacementSuffix)
	i := slices.IndexFunc(ixs, func(ix Index) bool { return ix.Name == name })
	if i < 0 {
		return ""
	}
	return fmt.Sprintf(" (%d/%d)", i+1, len(ixs))
}

func (p Progress) percent() int64 {
	switch {
	case p.BlocksTotal > 0:
		return 100 * p.BlocksDone / p.BlocksTotal
	case p.TuplesTotal > 0:
		return 100 * p.TuplesDone / p.TuplesTotal
	}
	return 0
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
