package indexes

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/steadydb/steady/internal/catalog"
)

// State is what the database holds for a catalog index.
type State string

const (
	Valid     State = "valid"     // valid, ready, and the catalog's definition
	Invalid   State = "invalid"   // left INVALID (or not ready) by a failed concurrent build
	Missing   State = "missing"   // no index of that name
	Building  State = "building"  // a concurrent build of it (or of its replacement) is running
	Different State = "different" // valid, but not the catalog's definition
)

// Status is one catalog index as the database shows it.
type Status struct {
	Name      string `json:"name"`
	Table     string `json:"table"`
	State     State  `json:"state"`
	SizeBytes int64  `json:"size_bytes"`           // from pg_class.relpages; 0 when missing
	Found     string `json:"definition,omitempty"` // pg_get_indexdef of the index in place
	Detail    string `json:"detail,omitempty"`     // build phase, or why it differs
	// A stalled index (MarkStalled): what the index itself is, and since when nobody builds it.
	IndexState   State      `json:"index_state,omitempty"`
	StalledSince *time.Time `json:"stalled_since,omitempty"`
	// BuildWindowOpens is when the build of an index that is not valid may start, with a
	// build window (MarkWindow).
	BuildWindowOpens *time.Time `json:"build_window_opens,omitempty"`
}

// MarkWindow sets, with a window, when the build of each index that is not valid may start
// (never set for a window that never opens again).
func MarkWindow(status []Status, w *Window, now time.Time) {
	if w == nil {
		return
	}
	for i := range status {
		if status[i].State != Valid {
			if next := w.NextOpen(now); !next.IsZero() {
				status[i].BuildWindowOpens = &next
			}
		}
	}
}

// Progress is a CREATE INDEX or REINDEX running in the current database, as
// pg_stat_progress_create_index shows it.
type Progress struct {
	PID          int    `json:"pid"`
	Table        string `json:"table"`
	Index        string `json:"index"` // empty until the index exists (and for plain CREATE INDEX)
	Phase        string `json:"phase"`
	BlocksTotal  int64  `json:"blocks_total"`
	BlocksDone   int64  `json:"blocks_done"`
	TuplesTotal  int64  `json:"tuples_total"`
	TuplesDone   int64  `json:"tuples_done"`
	LockersTotal int64  `json:"lockers_total"`
	LockersDone  int64  `json:"lockers_done"`
}

// String describes the build's phase and how far along it is.
func (p Progress) String() string {
	switch {
	case p.BlocksTotal > 0:
		return fmt.Sprintf("%s %d%%", p.Phase, 100*p.BlocksDone/p.BlocksTotal)
	case p.TuplesTotal > 0:
		return fmt.Sprintf("%s %d%%", p.Phase, 100*p.TuplesDone/p.TuplesTotal)
	case p.LockersTotal > 0:
		return fmt.Sprintf("%s (%d of %d transactions)", p.Phase, p.LockersDone, p.LockersTotal)
	}
	return p.Phase
}

// progressSQL returns one row (a JSON array) so that it is one round trip on any Querier.
var progressSQL = `
SELECT coalesce(json_agg(json_build_object(
    'pid', p.pid, 'table', t.relname, 'index', coalesce(i.relname, ''), 'phase', p.phase,
    'blocks_total', p.blocks_total, 'blocks_done', p.blocks_done,
    'tuples_total', p.tuples_total, 'tuples_done', p.tuples_done,
    'lockers_total', p.lockers_total, 'lockers_done', p.lockers_done)), '[]')
FROM pg_stat_progress_create_index p
JOIN pg_class t ON t.oid = p.relid
LEFT JOIN pg_class i ON i.oid = p.index_relid
WHERE p.datid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND t.relnamespace = '` + Schema + `'::regnamespace`

// ReadProgress reads the index builds running in the current database, in Schema.
func ReadProgress(ctx context.Context, q catalog.Querier) ([]Progress, error) {
	var raw []byte
	if err := q.QueryRow(ctx, progressSQL).Scan(&raw); err != nil {
		return nil, fmt.Errorf("read index build progress: %w", err)
	}
	var out []Progress
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("read index build progress: %w", err)
	}
	return out, nil
}

// ReadStatus reads every catalog index's status in two round trips (the catalog snapshot
// and the running builds).
func ReadStatus(ctx context.Context, q catalog.Querier, c *Catalog) ([]Status, error) {
	snap, err := catalog.Read(ctx, q)
	if err != nil {
		return nil, err
	}
	progress, err := ReadProgress(ctx, q)
	if err != nil {
		return nil, err
	}
	return c.Status(snap, progress), nil
}

// Status classifies every catalog index against a snapshot and the running builds.
func (c *Catalog) Status(snap *catalog.Snapshot, progress []Progress) []Status {
	out := make([]Status, 0, len(c.all))
	for _, ix := range c.All() {
		out = append(out, ix.Status(snap, progress))
	}
	return out
}

// Status classifies one catalog index.
func (ix Index) Status(snap *catalog.Snapshot, progress []Progress) Status {
	return ix.classify(func(name string) (catalog.Index, bool) { return snap.Index(Schema, name) }, progress).Status
}

// classified is one catalog index as the database shows it: its Status, which steady indexes
// status prints and enqueuing reads, and the facts the builder's plan reads next to it.
type classified struct {
	Status
	index, replacement       catalog.Index
	hasIndex, hasReplacement bool
	building                 *Progress // State Building: the build of the index or its replacement
	sameErr                  error     // State Different: the definition in place does not parse
	// tableBusy is a build running on the table, of any index (a plain CREATE INDEX does not
	// name its index while it runs): a build of this table waits for it.
	tableBusy *Progress
}

// classify is the one place an index's state is decided, from the catalog's indexes (lookup
// by name, in Schema) and the builds running in the database.
//
// An index is building when a build of it or of its replacement runs, whatever the catalog
// shows of it: that build decides what the index will be. A build of another index on the
// same table leaves the index's state as it is (so status and enqueuing see what is missing),
// and is tableBusy: the builder waits for it before running a statement on the table.
func (ix Index) classify(lookup func(name string) (catalog.Index, bool), progress []Progress) classified {
	c := classified{Status: Status{Name: ix.Name, Table: ix.Table}}
	c.index, c.hasIndex = lookup(ix.Name)
	c.replacement, c.hasReplacement = lookup(ix.Replacement())
	found := c.index
	if c.hasIndex {
		c.SizeBytes, c.Found = found.SizeBytes, found.Definition
	}
	for i, p := range progress {
		if p.Table != ix.Table {
			continue
		}
		if c.tableBusy == nil {
			c.tableBusy = &progress[i]
		}
		if c.building == nil && (p.Index == ix.Name || p.Index == ix.Replacement()) {
			c.building = &progress[i]
		}
	}
	if c.building != nil {
		c.State, c.Detail = Building, c.building.Index+": "+c.building.String()
		return c
	}
	switch {
	case !c.hasIndex:
		c.State = Missing
		if r := c.replacement; c.hasReplacement && r.Valid && r.Ready {
			c.Detail = "its replacement " + r.Name + " is built; the next build renames it"
		}
	case found.Table != ix.Table:
		// Before validity: an index of another table is never dropped or rebuilt as this one.
		c.State, c.Detail = Different, "the name is taken by an index on table "+found.Table
	case !found.Valid || !found.Ready:
		c.State, c.Detail = Invalid, "left by a failed or cancelled concurrent build; the next build drops and rebuilds it"
	default:
		same, err := ix.Def.Same(found.Definition)
		switch {
		case err != nil:
			c.State, c.Detail, c.sameErr = Different, err.Error(), err
		case !same:
			c.State, c.Detail = Different, "want: "+ix.SQL
		default:
			c.State = Valid
		}
	}
	return c
}
