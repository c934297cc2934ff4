package jobs

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/steadydb/steady/internal/catalog"
)

// EnqueueAction says what enqueuing did for one table.
type EnqueueAction string

const (
	EnqueueUpToDate  EnqueueAction = "up_to_date" // every index valid: nothing enqueued
	EnqueueInserted  EnqueueAction = "inserted"   // a new job
	EnqueueDuplicate EnqueueAction = "duplicate"  // a job is already waiting or running: left as is
	EnqueueRetried   EnqueueAction = "retried"    // the table's finished (or waiting) job was made available again
	EnqueueNoTable   EnqueueAction = "no_table"   // the table does not exist (migrations not applied): nothing enqueued
)

// EnqueueIndexBuildsOpts narrows what EnqueueIndexBuilds does.
type EnqueueIndexBuildsOpts struct {
	// Tables limits the builds to these catalog tables; default every table.
	Tables []string
	// RetryWaiting makes a job waiting for its next attempt (retryable) run now, for the
	// operator who fixed what failed it (duplicates under a unique index, a statement_timeout).
	RetryWaiting bool
}

// EnqueuedIndexBuild is what EnqueueIndexBuilds did for one table.
type EnqueuedIndexBuild struct {
	Table  string             `json:"table"`
	Action EnqueueAction      `json:"action"`
	JobID  int64              `json:"job_id,omitempty"`
	State  rivertype.JobState `json:"state,omitempty"`
	// Attempt is the job's attempts so far: a later failed attempt is a new failure.
	Attempt int `json:"attempt"`
}

// EnqueueIndexBuilds enqueues one build per table whose catalog indexes are not all valid.
// client may be insert-only. Enqueuing is idempotent: builds are unique by table, so a table
// whose job is waiting or running gets nothing new. A table that needs work although its job
// completed (an index dropped or broken since) gets that job back instead of a new one, since
// a completed unique job blocks its duplicate until River's cleaner deletes it (24 h).
func EnqueueIndexBuilds(ctx context.Context, client *river.Client[pgx.Tx], q catalog.Querier, c *IndexCatalog, opts EnqueueIndexBuildsOpts) ([]EnqueuedIndexBuild, error) {
	tables := opts.Tables
	if len(tables) == 0 {
		tables = c.Tables()
	}
	for _, t := range tables {
		if _, ok := c.byTable[t]; !ok {
			return nil, fmt.Errorf("enqueue index builds: table %q is not in the index catalog (tables: %v)", t, c.Tables())
		}
	}
	snap, err := catalog.Read(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("enqueue index builds: %w", err)
	}
	progress, err := ReadIndexProgress(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("enqueue index builds: %w", err)
	}
	status := c.Status(snap, progress)
	out := make([]EnqueuedIndexBuild, len(tables))
	var params []river.InsertManyParams
	var pending []int // index in out of each param
	for i, t := range tables {
		out[i] = EnqueuedIndexBuild{Table: t, Action: EnqueueUpToDate}
		if _, ok := snap.Table(IndexSchema, t); !ok {
			out[i].Action = EnqueueNoTable
			continue
		}
		if slices.ContainsFunc(status, func(s IndexStatus) bool { return s.Table == t && s.State != IndexValid }) {
			params = append(params, river.InsertManyParams{Args: IndexBuildArgs{Table: t}})
			pending = append(pending, i)
		}
	}
	if len(params) == 0 {
		return out, nil
	}
	res, err := client.InsertMany(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("enqueue index builds: %w", err)
	}
	for k, r := range res {
		e := &out[pending[k]]
		e.JobID, e.State, e.Attempt, e.Action = r.Job.ID, r.Job.State, r.Job.Attempt, EnqueueInserted
		if !r.UniqueSkippedAsDuplicate {
			continue
		}
		e.Action = EnqueueDuplicate
		if r.Job.State == rivertype.JobStateCompleted || (opts.RetryWaiting && r.Job.State == rivertype.JobStateRetryable) {
			job, err := client.JobRetry(ctx, r.Job.ID)
			if err != nil {
				return nil, fmt.Errorf("enqueue index builds: retry job %d (%s): %w", r.Job.ID, e.Table, err)
			}
			e.Action, e.State = EnqueueRetried, job.State
		}
	}
	return out, nil
}
