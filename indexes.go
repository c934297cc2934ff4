package steady

import (
	"cmp"
	"context"
	"time"

	"github.com/steadydb/steady/internal/indexes"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/workers"
)

// Index is an index build as its file defines it: name, table, the CREATE INDEX, why it exists.
type Index = indexes.Index

// IndexStatus is one catalog index as the database shows it; its JSON is steady indexes
// status --json's.
type IndexStatus = indexes.Status

// IndexState is what the database holds for a catalog index.
type IndexState = indexes.State

// The states of a catalog index.
const (
	IndexValid     = indexes.Valid
	IndexInvalid   = indexes.Invalid   // left by a failed build; the next build heals it
	IndexMissing   = indexes.Missing   // not there yet
	IndexBuilding  = indexes.Building  // a concurrent build of it is running
	IndexDifferent = indexes.Different // there, but not the catalog's definition
	IndexStalled   = indexes.Stalled   // not in place, its build waiting, and no live worker
)

// IndexEnqueued is what BuildIndexes did for one table.
type IndexEnqueued = indexes.Enqueued

// IndexWindow is when index builds may start (a cron spec and a duration).
type IndexWindow = indexes.Window

// ParseIndexWindow reads a build window such as "0 2 * * * 4h" (nil for ""). A bad one is an
// *InputError.
func ParseIndexWindow(spec string) (*IndexWindow, error) {
	w, err := indexes.ParseWindow(spec)
	return w, input(err)
}

// BuildIndexes enqueues one build job per table (of tables, default every catalog table) whose
// catalog indexes are not all valid; a worker builds them. A table whose job is waiting or
// running gets nothing new; with retryWaiting, a job waiting to retry runs now. A table that
// is not in the catalog is an *InputError and nothing is enqueued.
func (c *Client) BuildIndexes(ctx context.Context, tables []string, retryWaiting bool) ([]IndexEnqueued, error) {
	if err := c.cats.CheckIndexTables(tables...); err != nil {
		return nil, err
	}
	return indexes.Enqueue(ctx, workers.IndexBuildJobs{Client: c.river}, c.pools.Pooler, c.cats.c.Indexes,
		indexes.EnqueueOpts{Tables: tables, RetryWaiting: retryWaiting})
}

// IndexStatus reads every catalog index's state, marks stalled the ones whose build nobody
// works, and with a window, when each build that is due may start. It returns the census of
// workers it judged by too.
func (c *Client) IndexStatus(ctx context.Context, window *IndexWindow) ([]IndexStatus, Workers, error) {
	status, err := indexes.ReadStatus(ctx, c.pools.Pooler, c.cats.c.Indexes)
	if err != nil {
		return nil, Workers{}, err
	}
	census, err := liveness.Read(ctx, c.pools.Pooler, c.pools.Schema)
	if err != nil {
		return nil, Workers{}, err
	}
	after := cmp.Or(c.cfg.StalledAfter, 30*time.Second)
	if err := indexes.MarkStalled(ctx, c.pools.Pooler, c.pools.Schema, status, census, after); err != nil {
		return nil, Workers{}, err
	}
	indexes.MarkWindow(status, window, time.Now())
	return status, census, nil
}

// IndexStatusCode is steady indexes status's exit code: 0 all valid, 3 some missing or
// building, 4 some invalid or different (stalled or not).
func IndexStatusCode(status []IndexStatus) int {
	code := ExitOK
	for _, st := range status {
		state := st.State
		if state == indexes.Stalled {
			state = st.IndexState // stalled or not, what the index is decides the code
		}
		switch state {
		case indexes.Invalid, indexes.Different:
			return ExitDrift
		case indexes.Missing, indexes.Building:
			code = ExitPending
		}
	}
	return code
}
