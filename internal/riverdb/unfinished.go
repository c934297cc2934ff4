package riverdb

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/bookkeeping"
)

// Job is a River job that still means to run.
type Job struct {
	ID              int64
	State           string // available, pending, retryable, running or scheduled
	Args            []byte // its JSON arguments
	LastAttemptedBy string // the client id of its latest attempt; empty before the first
	LastMoved       time.Time
}

// Rows runs a query: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx.
type Rows interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

const unfinishedJobsSQL = `
SELECT j.id, j.state::text, j.args, coalesce(j.attempted_by[array_upper(j.attempted_by, 1)], ''),
       greatest(j.created_at, coalesce(j.attempted_at, j.created_at))
FROM river_job j
WHERE j.kind = $1 AND j.state IN ('available', 'pending', 'retryable', 'running', 'scheduled')
ORDER BY j.id`

// UnfinishedJobs reads the jobs of kind that still mean to run: waiting, scheduled, retryable
// or running, with when each last moved (inserted or attempted). Without River's tables there
// are none.
func UnfinishedJobs(ctx context.Context, q Rows, schema bookkeeping.Schema, kind string) ([]Job, error) {
	rows, err := q.Query(ctx, schema.SQL(unfinishedJobsSQL), kind)
	if err == nil {
		var jobs []Job
		jobs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Job, error) {
			var j Job
			return j, r.Scan(&j.ID, &j.State, &j.Args, &j.LastAttemptedBy, &j.LastMoved)
		})
		if err == nil {
			return jobs, nil
		}
	}
	if missingTable(err) {
		return nil, nil
	}
	return nil, fmt.Errorf("read the unfinished %s jobs: %w", kind, err)
}
