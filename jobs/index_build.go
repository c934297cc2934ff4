package jobs

import (
	"github.com/riverqueue/river"

	"github.com/steadydb/steady/internal/indexes"
)

// IndexBuildMaxAttempts bounds a table's build. With the worker's backoff (30 s doubling, at
// most 30 min) the retries span about two hours; a discarded build is enqueued again by the
// next worker start or steady indexes build.
const IndexBuildMaxAttempts = 10

// IndexBuildArgs asks for one table's catalog indexes to be built, in catalog order. One job
// per table means two builds never run on one table at once (they would serialize on its
// SHARE UPDATE EXCLUSIVE lock and hold a worker each), while tables build in parallel.
type IndexBuildArgs struct {
	// Table names a table of the index catalog; the worker looks its indexes up there.
	Table string `json:"table"`
}

// Kind is the River job kind.
func (IndexBuildArgs) Kind() string { return indexes.BuildKind }

// InsertOpts puts builds on their queue and makes them unique by table in River's default
// states (available, pending, running, retryable, scheduled and completed): enqueuing again
// while one is waiting, running or done adds nothing.
func (IndexBuildArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueIndexes,
		MaxAttempts: IndexBuildMaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}
