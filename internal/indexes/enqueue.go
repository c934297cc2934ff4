package indexes

import (
	"context"
	"fmt"
	"slices"

	"github.com/riverqueue/river/rivertype"

	"github.com/steadydb/steady/internal/catalog"
)

// BuildKind is the River kind of index build jobs: one per table (jobs.IndexBuildArgs).
const BuildKind = "steady_index_build"

// Jobs inserts and retries index build jobs. The engine names tables; the River job arguments
// are the product's (package jobs), so the River client comes wrapped by workers.IndexBuildJobs.
type Jobs interface {
	// InsertBuilds inserts one build job per table, unique by table, in one round trip.
	InsertBuilds(ctx context.Context, tables []string) ([]*rivertype.JobInsertResult, error)
	// JobRetry makes a job available again at once.
	JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
}

// EnqueueAction says what enqueuing did for one table.
type EnqueueAction string

const (
	EnqueueUpToDate  EnqueueAction = "up_to_date" // every index valid: nothing enqueued
	EnqueueInserted  EnqueueAction = "inserted"   // a new job
	EnqueueDuplicate EnqueueAction = "duplicate"  // a job is already waiting or running: left as is
	EnqueueRetried   EnqueueAction = "retried"    // the table's finished (or waiting) job was made available again
	EnqueueNoTable   EnqueueAction = "no_table"   // the table does not exist (migrations not applied): nothing enqueued
)

// EnqueueOpts narrows what Enqueue does.
type EnqueueOpts struct {
	// Tables limits the builds to these catalog tables; default every table.
	Tables []string
	// RetryWaiting makes a job waiting for its next attempt (retryable) run now, for the
	// operator who fixed what failed it (duplicates under a unique index, a statement_timeout).
	RetryWaiting bool
}

// Enqueued is what Enqueue did for one table.
type Enqueued struct {
	Table  string             `json:"table"`
	Action EnqueueAction      `json:"action"`
	JobID  int64              `json:"job_id,omitempty"`
	State  rivertype.JobState `json:"state,omitempty"`
	// Attempt is the job's attempts so far: a later failed attempt is a new failure.
	Attempt int `json:"attempt"`
}

// Enqueue enqueues one build per table whose catalog indexes are not all valid.
// client may be insert-only. Enqueuing is idempotent: builds are unique by table, so a table
// whose job is waiting or running gets nothing new. A table that needs work although its job
// completed (an index dropped or broken since) gets that job back instead of a new one, since
// a completed unique job blocks its duplicate until River's cleaner deletes it (24 h).
func Enqueue(ctx context.Context, client Jobs, q catalog.Querier, c *Catalog, opts EnqueueOpts) ([]Enqueued, error) {
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
	progress, err := ReadProgress(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("enqueue index builds: %w", err)
	}
	status := c.Status(snap, progress)
	out := make([]Enqueued, len(tables))
	var due []string
	var pending []int // index in out of each due table
	for i, t := range tables {
		out[i] = Enqueued{Table: t, Action: EnqueueUpToDate}
		if _, ok := snap.Table(Schema, t); !ok {
			out[i].Action = EnqueueNoTable
			continue
		}
		if slices.ContainsFunc(status, func(s Status) bool { return s.Table == t && s.State != Valid }) {
			due = append(due, t)
			pending = append(pending, i)
		}
	}
	if len(due) == 0 {
		return out, nil
	}
	res, err := client.InsertBuilds(ctx, due)
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
