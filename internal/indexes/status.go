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
	st := Status{Name: ix.Name, Table: ix.Table}
	found, exists := snap.Index(Schema, ix.Name)
	if exists {
		st.SizeBytes, st.Found = found.SizeBytes, found.Definition
	}
	for _, p := range progress {
		if p.Table == ix.Table && (p.Index == ix.Name || p.Index == ix.Replacement()) {
			st.State, st.Detail = Building, p.Index+": "+p.String()
			return st
		}
	}
	switch {
	case !exists:
		st.State = Missing
		if r, ok := snap.Index(Schema, ix.Replacement()); ok && r.Valid && r.Ready {
			st.Detail = "its replacement " + r.Name + " is built; the next build renames it"
		}
	case !found.Valid || !found.Ready:
		st.State, st.Detail = Invalid, "left by a failed or cancelled concurrent build; the next build drops and rebuilds it"
	case found.Table != ix.Table:
		st.State, st.Detail = Different, "the name is taken by an index on table "+found.Table
	default:
		same, err := ix.Def.Same(found.Definition)
		switch {
		case err != nil:
			st.State, st.Detail = Different, err.Error()
		case !same:
			st.State, st.Detail = Different, "want: "+ix.SQL
		default:
			st.State = Valid
		}
	}
	return st
}
