package indexes

import (
	"context"
	"fmt"
	"time"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/liveness"
)

// Stalled, status only: the index is not in place (missing, invalid or different), a
// build job for its table is waiting or running, and no live worker has worked it for longer
// than the stalled bound. Status.IndexState keeps what the index itself is.
const Stalled State = "stalled"

// buildJobsSQL reads the index build jobs that still mean to run: with no live worker, nobody
// works them (one running was a dead worker's).
const buildJobsSQL = `
SELECT j.args->>'table', j.id, j.state::text, greatest(j.created_at, coalesce(j.attempted_at, j.created_at))
FROM river_job j
WHERE j.kind = $1 AND j.state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`

// MarkStalled marks stalled the indexes whose table's build nobody works: no worker is alive
// (census, read at the server's clock), the table has a build job waiting or running, and
// neither the job nor any worker's heartbeat has moved for longer than after. A build still
// running on the server (an orphan of a killed worker included) shows as building, not here.
func MarkStalled(ctx context.Context, q liveness.Querier, schema bookkeeping.Schema, status []Status, census liveness.Census, after time.Duration) error {
	if len(census.Alive) > 0 {
		return nil // a live worker picks the waiting jobs up, and is given the dead ones'
	}
	rows, err := q.Query(ctx, schema.SQL(buildJobsSQL), BuildKind)
	type job struct {
		id    int64
		state string
		last  time.Time
	}
	byTable := map[string]job{}
	if err == nil {
		for rows.Next() {
			var table string
			var j job
			if err := rows.Scan(&table, &j.id, &j.state, &j.last); err != nil {
				rows.Close()
				return fmt.Errorf("read index build jobs: %w", err)
			}
			byTable[table] = j
		}
		err = rows.Err()
	}
	if err != nil && !missingRelation(err) { // no river_job: no build asked for
		return fmt.Errorf("read index build jobs: %w", err)
	}
	for i, st := range status {
		j, ok := byTable[st.Table]
		if !ok || (st.State != Missing && st.State != Invalid && st.State != Different) {
			continue
		}
		since := j.last
		if census.LastHeartbeat != nil && census.LastHeartbeat.After(since) {
			since = *census.LastHeartbeat
		}
		if census.Now.Sub(since) <= after {
			continue
		}
		why := fmt.Sprintf("%s; nothing has built it since %s: its build (job %d, %s) waits and no worker is running",
			st.State, since.UTC().Format(time.RFC3339), j.id, j.state)
		if census.LastHeartbeat != nil {
			why += " (the last heartbeat was at " + census.LastHeartbeat.UTC().Format(time.RFC3339) + ")"
		}
		status[i].IndexState, status[i].State = st.State, Stalled
		status[i].StalledSince = &since
		status[i].Detail = why + ": start steady worker"
	}
	return nil
}
