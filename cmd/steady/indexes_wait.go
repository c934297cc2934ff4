package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/indexes"
	"github.com/steadydb/steady/jobs"
)

const (
	indexFollowEvery = time.Second      // how often --wait reads the jobs and the builds' progress
	indexNoWorkerFor = 15 * time.Second // when --wait says no worker has picked the jobs up
)

// indexWait follows index build jobs (steady indexes build --wait). It polls: LISTEN/NOTIFY
// does not pass a transaction pooler.
type indexWait struct {
	client *river.Client[pgx.Tx]
	pool   *dbconn.Pool
	out    io.Writer // progress lines
	watch  *workerWatch
}

// follow prints a line whenever a table's job changes state or its build changes phase, until
// every job has completed, or one has failed an attempt or ended otherwise. It fills in
// out's job states and errors and the final status of the tables' indexes.
func (w *indexWait) follow(ctx context.Context, out *buildJSON) error {
	byID := map[int64]*buildJob{}
	var ids []int64
	for i := range out.Jobs {
		if j := &out.Jobs[i]; j.JobID != 0 {
			byID[j.JobID] = j
			ids = append(ids, j.JobID)
		}
	}
	last := map[string]string{}
	start, hinted := time.Now(), false
	tick := time.NewTicker(indexFollowEvery)
	defer tick.Stop()
	for len(ids) > 0 {
		list, err := w.client.JobList(ctx, river.NewJobListParams().IDs(ids...).First(len(ids)))
		if err != nil {
			return w.stopped(ctx, err)
		}
		progress, err := indexes.ReadProgress(ctx, w.pool)
		if err != nil {
			return w.stopped(ctx, err)
		}
		ended, started := 0, false
		for _, row := range list.Jobs {
			j := byID[row.ID]
			j.State = row.State
			if n := len(row.Errors); n > 0 && row.Errors[n-1].Attempt > j.Attempt {
				j.Error = row.Errors[n-1].Error
			}
			if line, key := describeIndexJob(j, row, progress); key != last[j.Table] {
				fmt.Fprintln(w.out, line)
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
		if _, err := w.watch.check(ctx, w.pool); err != nil {
			return w.stopped(ctx, err)
		}
		// Workers are alive (or the watch said none is) yet nothing was picked up.
		if !started && !hinted && w.watch.noneSince.IsZero() && time.Since(start) >= indexNoWorkerFor {
			fmt.Fprintf(w.out, "no worker has picked these jobs up in %s: is steady worker running against this database?\n", indexNoWorkerFor)
			hinted = true
		}
		select {
		case <-ctx.Done():
			return w.stopped(ctx, ctx.Err())
		case <-tick.C:
		}
	}
	status, err := indexes.ReadStatus(ctx, w.pool, jobs.Indexes())
	if err != nil {
		return err
	}
	for _, st := range status {
		if slices.ContainsFunc(out.Jobs, func(j buildJob) bool { return j.Table == st.Table }) {
			out.Indexes = append(out.Indexes, st)
		}
	}
	printIndexStatus(&env{stdout: w.out}, out.Indexes)
	return nil
}

func (w *indexWait) stopped(ctx context.Context, err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err // no worker came (exit 5)
	}
	if ctx.Err() != nil {
		return &exitError{code: exitFailure, err: errors.New("stopped following; the builds go on (steady indexes status)")}
	}
	return err
}

// failure says what --wait saw go wrong, or nil when every index of the tables is valid.
func (w *indexWait) failure(out buildJSON) error {
	var msgs []string
	for _, j := range out.Jobs {
		switch {
		case j.Error != "" && j.State != rivertype.JobStateCompleted:
			msgs = append(msgs, fmt.Sprintf("%s: %s (%s)", j.Table, j.Error, j.State))
		case j.State == rivertype.JobStateCancelled || j.State == rivertype.JobStateDiscarded:
			msgs = append(msgs, fmt.Sprintf("%s: job %s", j.Table, j.State))
		}
	}
	for _, st := range out.Indexes {
		if len(msgs) == 0 && st.State != indexes.Valid {
			msgs = append(msgs, fmt.Sprintf("%s is %s after its build completed", st.Name, st.State))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("index builds failed: %s; a retryable job is retried with backoff (steady indexes status, or fix and run steady indexes build)", strings.Join(msgs, "; "))
}

// describeIndexJob is a progress line for a table's job, and the key that changes when the
// line is worth printing again (a build's percentage counts in steps of ten).
func describeIndexJob(j *buildJob, row *rivertype.JobRow, progress []indexes.Progress) (string, string) {
	prefix := j.Table + ": "
	switch row.State {
	case rivertype.JobStateRunning:
		i := slices.IndexFunc(progress, func(p indexes.Progress) bool { return p.Table == j.Table && p.Index != "" })
		if i < 0 {
			line := fmt.Sprintf("%srunning (attempt %d)", prefix, row.Attempt)
			return line, line
		}
		p := progress[i]
		line := fmt.Sprintf("%sbuilding %s%s: %s", prefix, p.Index, position(j.Table, p.Index), p)
		return line, fmt.Sprintf("%s %s %s %d", j.Table, p.Index, p.Phase, percent(p)/10)
	case rivertype.JobStateCompleted:
		ixs, _ := jobs.Indexes().OnTable(j.Table)
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
func position(table, index string) string {
	ixs, _ := jobs.Indexes().OnTable(table)
	name := strings.TrimSuffix(index, indexes.ReplacementSuffix)
	i := slices.IndexFunc(ixs, func(ix indexes.Index) bool { return ix.Name == name })
	if i < 0 {
		return ""
	}
	return fmt.Sprintf(" (%d/%d)", i+1, len(ixs))
}

func percent(p indexes.Progress) int64 {
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
