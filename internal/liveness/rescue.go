package liveness

import (
	"context"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/riverdb"
)

// The rescue's statement is on River's tables, so it lives with the others in riverdb.
type (
	DeadWorker   = riverdb.DeadWorker
	RescuedJob   = riverdb.RescuedJob
	RescueResult = riverdb.RescueResult
)

// Rescue declares dead the workers silent past their bound and gives back the River jobs
// running under steady clients that are not alive. me is the caller's client id: a worker never
// declares itself dead. gonePIDs, with this machine's host key, are previous incarnations seen
// gone at a start. Without river_job or steady_workers it does nothing.
func Rescue(ctx context.Context, q Querier, schema bookkeeping.Schema, me string, gonePIDs []int32) (RescueResult, error) {
	return rescue(ctx, q, schema, me, hostKey(), gonePIDs)
}

func rescue(ctx context.Context, q Querier, schema bookkeeping.Schema, me, key string, gonePIDs []int32) (RescueResult, error) {
	return riverdb.Rescue(ctx, q, schema, IDPrefix, me, key, gonePIDs)
}
