package steady

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

	"github.com/steadydb/steady/internal/indexes"
)

// FollowedIndexBuild is one table's build job as BuildIndexes enqueued it and, once followed,
// its state and its last attempt's error.
type FollowedIndexBuild struct {
	IndexEnqueued
	Error string `json:"error,omitempty"` // the last attempt's, when followed
}

// IndexBuildReport is a build's jobs and, once followed, the tables' indexes: steady indexes
// build --json's document.
type IndexBuildReport struct {
	Jobs    []FollowedIndexBuild `json:"jobs"`
	Indexes []IndexStatus        `json:"indexes,omitempty"` // when followed: the tables' indexes at the end
}

// followIndexEvery is how often FollowIndexBuilds reads the jobs and the builds' progress by
// default; noPickupHint is when it says that no worker picked the jobs up although one is alive.
const (
	followIndexEvery = time.Second
	noPickupHint     = 15 * time.Second
)

// FollowIndexBuilds follows the jobs of report (from BuildIndexes) until each has completed,
// failed an attempt or ended otherwise, saying each change of a job's state or a build's phase
// through opts.Say, and fills in the jobs' states and errors and the tables' indexes at the
// end. report.Failure says what went wrong. A *NoWorkerError when no worker was alive for
// opts.NoWorkerTimeout, a *StoppedError when ctx ended (the builds go on). It polls:
// LISTEN/NOTIFY does not pass a transaction pooler.
func (c *Client) FollowIndexBuilds(ctx context.Context, report *IndexBuildReport, opts FollowOpts) error {
	err := c.followIndexBuilds(ctx, report, opts)
	var nw *NoWorkerError
	if err != nil && !errors.As(err, &nw) && ctx.Err() != nil {
		return stopped(ctx, "the builds", "steady indexes status")
	}
	return err
}

func (c *Client) followIndexBuilds(ctx context.Context, report *IndexBuildReport, opts FollowOpts) error {
	watch := &workerWatch{opts: opts, what: "the builds", q: c.pools.Pooler, schema: c.pools.Schema}
	byID := map[int64]*FollowedIndexBuild{}
	var ids []int64
	for i := range report.Jobs {
		if j := &report.Jobs[i]; j.JobID != 0 {
			byID[j.JobID] = j
			ids = append(ids, j.JobID)
		}
	}
	last := map[string]string{}
	start, hinted := time.Now(), false
	tick := time.NewTicker(cmp.Or(opts.Every, followIndexEvery))
	defer tick.Stop()
	for len(ids) > 0 {
		list, err := c.river.JobList(ctx, river.NewJobListParams().IDs(ids...).First(len(ids)))
		if err != nil {
			return err
		}
		progress, err := indexes.ReadProgress(ctx, c.pools.Pooler)
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
			if line, key := c.describeIndexBuild(j, row, progress); key != last[j.Table] {
				opts.say(line)
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
		if err := watch.check(ctx); err != nil {
			return err
		}
		// Workers are alive (or the watch said none is) yet nothing was picked up.
		if !started && !hinted && !watch.none() && time.Since(start) >= noPickupHint {
			opts.say(fmt.Sprintf("no worker has picked these jobs up in %s: is steady worker running against this database?", noPickupHint))
			hinted = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	status, err := indexes.ReadStatus(ctx, c.pools.Pooler, c.cats.c.Indexes)
	if err != nil {
		return err
	}
	for _, st := range status {
		if slices.ContainsFunc(report.Jobs, func(j FollowedIndexBuild) bool { return j.Table == st.Table }) {
			report.Indexes = append(report.Indexes, st)
		}
	}
	return nil
}

// Failure says what following saw go wrong, or nil when every index of the tables is valid.
func (r IndexBuildReport) Failure() error {
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
		if len(msgs) == 0 && st.State != indexes.Valid {
			msgs = append(msgs, fmt.Sprintf("%s is %s after its build completed", st.Name, st.State))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New("index builds failed: " + strings.Join(msgs, "; ") +
		"; a retryable job is retried with backoff (steady indexes status, or fix and run steady indexes build)")
}

// describeIndexBuild is a progress line for a table's job, and the key that changes when the line is
// worth printing again (a build's percentage counts in steps of ten).
func (c *Client) describeIndexBuild(j *FollowedIndexBuild, row *rivertype.JobRow, progress []indexes.Progress) (string, string) {
	prefix := j.Table + ": "
	switch row.State {
	case rivertype.JobStateRunning:
		i := slices.IndexFunc(progress, func(p indexes.Progress) bool { return p.Table == j.Table && p.Index != "" })
		if i < 0 {
			line := fmt.Sprintf("%srunning (attempt %d)", prefix, row.Attempt)
			return line, line
		}
		p := progress[i]
		line := fmt.Sprintf("%sbuilding %s%s: %s", prefix, p.Index, c.indexPosition(j.Table, p.Index), p)
		return line, fmt.Sprintf("%s %s %s %d", j.Table, p.Index, p.Phase, percentDone(p)/10)
	case rivertype.JobStateCompleted:
		ixs, _ := c.cats.c.Indexes.OnTable(j.Table)
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

// indexPosition is " (2/4)": the index's place among its table's catalog indexes.
func (c *Client) indexPosition(table, index string) string {
	ixs, _ := c.cats.c.Indexes.OnTable(table)
	name := strings.TrimSuffix(index, indexes.ReplacementSuffix)
	i := slices.IndexFunc(ixs, func(ix indexes.Index) bool { return ix.Name == name })
	if i < 0 {
		return ""
	}
	return fmt.Sprintf(" (%d/%d)", i+1, len(ixs))
}

// percentDone is how far a build has come, by blocks or else by tuples.
func percentDone(p indexes.Progress) int64 {
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
