package indexes

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/internal/riverdb"
)

// Stalled, status only: the index is not in place (missing, invalid or different), a
// build job for its table is waiting or running, and no live worker has worked it for longer
// than the stalled bound. Status.IndexState keeps what the index itself is.
const Stalled State = "stalled"

// MarkStalled marks stalled the indexes whose table's build nobody works: no worker is alive
// (census, read at the server's clock), the table has a build job waiting or running, and
// neither the job nor any worker's heartbeat has moved for longer than after. A build still
// running on the server (an orphan of a killed worker included) shows as building, not here.
func MarkStalled(ctx context.Context, q liveness.Querier, schema bookkeeping.Schema, status []Status, census liveness.Census, after time.Duration) error {
	if len(census.Alive) > 0 {
		return nil // a live worker picks the waiting jobs up, and is given the dead ones'
	}
	// With no live worker, nobody works these (one running was a dead worker's).
	jobs, err := riverdb.UnfinishedJobs(ctx, q, schema, BuildKind)
	if err != nil {
		return fmt.Errorf("read index build jobs: %w", err)
	}
	byTable := map[string]riverdb.Job{}
	for _, j := range jobs {
		var args struct {
			Table string `json:"table"`
		}
		if err := json.Unmarshal(j.Args, &args); err != nil {
			return fmt.Errorf("read index build job %d: %w", j.ID, err)
		}
		byTable[args.Table] = j
	}
	for i, st := range status {
		j, ok := byTable[st.Table]
		if !ok || (st.State != Missing && st.State != Invalid && st.State != Different) {
			continue
		}
		since := j.LastMoved
		if census.LastHeartbeat != nil && census.LastHeartbeat.After(since) {
			since = *census.LastHeartbeat
		}
		if census.Now.Sub(since) <= after {
			continue
		}
		why := fmt.Sprintf("%s; nothing has built it since %s: its build (job %d, %s) waits and no worker is running",
			st.State, since.UTC().Format(time.RFC3339), j.ID, j.State)
		if census.LastHeartbeat != nil {
			why += " (the last heartbeat was at " + census.LastHeartbeat.UTC().Format(time.RFC3339) + ")"
		}
		status[i].IndexState, status[i].State = st.State, Stalled
		status[i].StalledSince = &since
		status[i].Detail = why + ": start steady worker"
	}
	return nil
}
