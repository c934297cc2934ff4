package backfills

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/internal/riverdb"
)

// RunStatus is the progress of a backfill's latest run.
type RunStatus struct {
	Backfill string
	Run      int64 // 0 when the backfill never ran
	State    State
	Trigger  Trigger
	Slices   int
	// File and Checksum name the file the run was started with ("" for a run older than
	// stored definitions).
	File, Checksum string
	// From and To are the key range asked for (nil: the table's, as it was at the start).
	From, To      *int64
	RowsDone      int64
	RowsRemaining *int64   // nil until every slice has been counted or has made progress
	Estimated     bool     // RowsRemaining is extrapolated from progress for some slice, not counted
	RatePerS      float64  // rows per second of the running slices, smoothed
	ETASeconds    *float64 // remaining / rate; nil when either is unknown
	Progress      float64  // fraction of the key range behind the checkpoints, 0..1
	Throttled     string   // why running slices are held back or slowed down, if they are
	// ActiveSeconds is the time the run's slices have been worked (attempts, waits included);
	// ThrottledSeconds the part of it they were held back, by reason (Reasons).
	ActiveSeconds    float64
	ThrottledSeconds map[string]float64
	Error            string     // the last error of a slice
	StalledSince     *time.Time // StateStalled: the last sign of progress (or of a live worker)
	Stalled          string     // StateStalled: why nobody works it
	CreatedAt        time.Time
	StartedAt        *time.Time
	UpdatedAt        *time.Time
	FinishedAt       *time.Time
}

// RecentAdhoc is how long a finished ad hoc run is listed by Status without names.
const RecentAdhoc = 7 * 24 * time.Hour

// Status returns the latest run of each named backfill, in the order given. Without names: every
// catalog entry, in catalog order, then each ad hoc backfill whose latest run is active or
// began within RecentAdhoc. A backfill that never ran has State StateNever.
func (s *Store) Status(ctx context.Context, names ...string) ([]RunStatus, error) {
	if len(names) == 0 {
		adhoc, err := s.adhocNames(ctx, RecentAdhoc)
		if err != nil {
			return nil, fmt.Errorf("backfill status: %w", err)
		}
		names = append(s.catalog.Names(), adhoc...)
	}
	byName, err := s.readRuns(ctx, names)
	if undefinedColumn(err) || missingTable(err) {
		var runs bool
		if err = s.pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", s.schema.Table("steady_backfill_runs")).Scan(&runs); err == nil {
			if !runs {
				byName = nil // no bookkeeping yet: nothing ever ran
			} else if err = s.tables.Ensure(ctx); err == nil {
				// Bookkeeping made by an older steady: upgrading it is idempotent and quick.
				byName, err = s.readRuns(ctx, names)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("backfill status: %w", err)
	}
	if err := s.markStalled(ctx, byName); err != nil {
		return nil, fmt.Errorf("backfill status: %w", err)
	}
	out := make([]RunStatus, 0, len(names))
	for _, name := range names {
		st, ok := byName[name]
		if !ok {
			st = RunStatus{Backfill: name, State: StateNever}
		}
		out = append(out, st)
	}
	return out, nil
}

// readRuns reads the latest run of each named backfill.
func (s *Store) readRuns(ctx context.Context, names []string) (map[string]RunStatus, error) {
	rows, err := s.pool.Query(ctx, s.schema.SQL(statusQuery), names)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byName := map[string]RunStatus{}
	for rows.Next() {
		var st RunStatus
		var n [6]int
		var trigger string
		var file, checksum *string
		if err := rows.Scan(&st.Backfill, &st.Run, &trigger, &st.Slices, &st.CreatedAt, &file, &checksum, &st.From, &st.To,
			&n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &st.RowsDone, &st.RowsRemaining, &st.Estimated, &st.RatePerS,
			&st.Progress, &st.StartedAt, &st.UpdatedAt, &st.FinishedAt, &st.Throttled, &st.Error,
			&st.ActiveSeconds, &st.ThrottledSeconds); err != nil {
			return nil, err
		}
		st.Trigger = Trigger(trigger)
		if file != nil {
			st.File, st.Checksum = *file, *checksum
		}
		st.State = runState(n, st.StartedAt != nil)
		if !st.State.Active() || st.State == StatePaused {
			st.RatePerS = 0
		}
		if st.State == StateDone {
			zero := int64(0)
			st.RowsRemaining, st.Estimated = &zero, false
		}
		if st.RowsRemaining != nil && st.RatePerS > 0 {
			eta := float64(*st.RowsRemaining) / st.RatePerS
			st.ETASeconds = &eta
		}
		byName[st.Backfill] = st
	}
	return byName, rows.Err()
}

// ThrottledShare is the share of the run's working time its slices were held back, 0..1.
func (st RunStatus) ThrottledShare() float64 {
	if st.ActiveSeconds <= 0 {
		return 0
	}
	var held float64
	for _, s := range st.ThrottledSeconds {
		held += s
	}
	return min(held/st.ActiveSeconds, 1)
}

// runState derives a run's state from its slices': while any slice may work the run is
// pending, running or paused; then a failure or a cancel outranks done.
// counts are the slices pending, running, paused, done, failed and cancelled.
func runState(counts [6]int, started bool) State {
	pending, running, paused, failed, cancelled := counts[0], counts[1], counts[2], counts[4], counts[5]
	switch {
	case running > 0 || (pending > 0 && started):
		return StateRunning
	case pending > 0:
		return StatePending
	case paused > 0:
		return StatePaused
	case failed > 0:
		return StateFailed
	case cancelled > 0:
		return StateCancelled
	default:
		return StateDone
	}
}

const statusQuery = `
SELECT r.backfill, r.id, r.trigger, r.slices, r.created_at, d.file, d.checksum, r.key_from, r.key_to,
       count(*) FILTER (WHERE s.state = 'pending'),
       count(*) FILTER (WHERE s.state = 'running'),
       count(*) FILTER (WHERE s.state = 'paused'),
       count(*) FILTER (WHERE s.state = 'done'),
       count(*) FILTER (WHERE s.state = 'failed'),
       count(*) FILTER (WHERE s.state = 'cancelled'),
       sum(s.rows_done)::bigint,
       -- counted where the count was cheap, else extrapolated from the keys behind the checkpoint
       CASE WHEN bool_and(s.rows_remaining IS NOT NULL OR s.cursor_key > s.key_from) THEN
         sum(coalesce(s.rows_remaining,
                      round(s.rows_done::numeric * (s.key_to::numeric - s.cursor_key) / nullif(s.cursor_key::numeric - s.key_from, 0))))::bigint
       END,
       coalesce(bool_or(s.rows_remaining IS NULL), false),
       coalesce(sum(s.rate_per_s) FILTER (WHERE s.state = 'running'), 0)::float8,
       coalesce(sum(s.cursor_key::numeric - s.key_from) / nullif(sum(s.key_to::numeric - s.key_from), 0), 1)::float8,
       min(s.started_at),
       max(s.updated_at),
       CASE WHEN bool_and(s.finished_at IS NOT NULL) THEN max(s.finished_at) END,
       coalesce(string_agg(DISTINCT s.throttled, '; ') FILTER (WHERE s.state = 'running'), ''),
       coalesce(string_agg(DISTINCT s.error, '; '), ''),
       coalesce(sum(s.active_s), 0)::float8,
       (SELECT coalesce(jsonb_object_agg(t.reason, t.seconds), '{}')
        FROM (SELECT e.key AS reason, sum(e.value::float8) AS seconds
              FROM steady_backfill_slices s2, jsonb_each_text(s2.throttled_s) e
              WHERE s2.run_id = r.id GROUP BY e.key) t)
FROM steady_backfill_runs r
JOIN steady_backfill_slices s ON s.run_id = r.id
LEFT JOIN steady_backfill_definitions d ON d.id = r.definition_id
WHERE r.id IN (SELECT max(id) FROM steady_backfill_runs WHERE backfill = ANY ($1) GROUP BY backfill)
GROUP BY r.id, d.id`

// adhocNames lists the ad hoc backfills (names outside the catalog whose runs have a stored
// definition) whose latest run is active or began within recent, oldest first.
func (s *Store) adhocNames(ctx context.Context, recent time.Duration) ([]string, error) {
	rows, err := s.pool.Query(ctx, s.schema.SQL(`SELECT r.backfill FROM steady_backfill_runs r
		WHERE r.id IN (SELECT max(id) FROM steady_backfill_runs WHERE definition_id IS NOT NULL GROUP BY backfill)
		  AND NOT r.backfill = ANY ($1)
		  AND (r.created_at > now() - make_interval(secs => $2)
		       OR EXISTS (SELECT FROM steady_backfill_slices s WHERE s.run_id = r.id AND s.state IN ('pending', 'running', 'paused')))
		ORDER BY r.id`), s.catalog.Names(), recent.Seconds())
	if err == nil {
		var names []string
		names, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err == nil {
			return names, nil
		}
	}
	if missingTable(err) || undefinedColumn(err) {
		return nil, nil // no bookkeeping yet, or an older one: no ad hoc run
	}
	return nil, err
}

// Known reports whether name is a catalog backfill or an ad hoc one that has run here.
func (s *Store) Known(ctx context.Context, name string) (bool, error) {
	if _, ok := s.catalog.Lookup(name); ok {
		return true, nil
	}
	var known bool
	err := s.pool.QueryRow(ctx, s.schema.SQL(`SELECT EXISTS (SELECT FROM steady_backfill_runs WHERE backfill = $1 AND definition_id IS NOT NULL)`),
		name).Scan(&known)
	if missingTable(err) || undefinedColumn(err) {
		return false, nil
	}
	return known, err
}

// markStalled turns the pending and running runs that nobody works into StateStalled: no slice
// is held by a live worker (its job running under a client that heartbeats), and either no
// worker is alive or a slice has no job any worker could pick up, and that has lasted longer
// than the stalled bound since the last sign of progress. Every time is the server's. With no
// live worker a run shows no rate or ETA even before the bound.
func (s *Store) markStalled(ctx context.Context, byName map[string]RunStatus) error {
	var runs []int64
	for _, st := range byName {
		if st.State == StatePending || st.State == StateRunning {
			runs = append(runs, st.Run)
		}
	}
	if len(runs) == 0 {
		return nil
	}
	census, err := liveness.Read(ctx, s.pool, s.schema)
	if err != nil {
		return err
	}
	alive := make([]string, len(census.Alive))
	for i, w := range census.Alive {
		alive[i] = w.ID
	}
	work, err := s.runWork(ctx, runs, alive)
	if err != nil {
		return err
	}
	for name, st := range byName {
		w, ok := work[st.Run]
		if !ok || w.held {
			continue
		}
		since := w.lastProgress
		var why string
		switch {
		case len(census.Alive) == 0:
			// Nobody works it: its last rate says nothing about when it ends, bound or not.
			st.RatePerS, st.ETASeconds = 0, nil
			byName[name] = st
			why = "no worker is running: start steady worker"
			if census.LastHeartbeat != nil {
				why = fmt.Sprintf("no worker is running (the last heartbeat was at %s): start steady worker",
					census.LastHeartbeat.UTC().Format(time.RFC3339))
				if census.LastHeartbeat.After(since) {
					since = *census.LastHeartbeat
				}
			}
		case !w.everySliceJob:
			why = fmt.Sprintf("slice %d has no job a worker could pick up: steady backfill enqueue %s gives it one", w.sliceWithoutJob, name)
		default:
			continue // a live worker will pick the jobs up
		}
		if since.Before(st.CreatedAt) {
			since = st.CreatedAt
		}
		if census.Now.Sub(since) <= s.stalledAfter {
			continue
		}
		st.State, st.Stalled, st.StalledSince = StateStalled, why, &since
		st.RatePerS, st.ETASeconds = 0, nil
		byName[name] = st
	}
	return nil
}

// runWork is, for one run, the last progress of its active slices, whether a live worker is
// working one of them, and whether every active slice has a job a worker could pick up (and,
// if not, one that has none).
type runWork struct {
	lastProgress        time.Time
	held, everySliceJob bool
	sliceWithoutJob     int
}

// runWork reads the active slices of runs and joins them, here rather than in SQL, with the
// unfinished slice jobs River holds (internal/riverdb owns every statement on River's tables).
// alive are the live workers' client ids.
func (s *Store) runWork(ctx context.Context, runs []int64, alive []string) (map[int64]runWork, error) {
	type slice struct {
		run int64
		n   int
	}
	rows, err := s.pool.Query(ctx, s.schema.SQL(`SELECT run_id, slice, updated_at FROM steady_backfill_slices
		WHERE run_id = ANY ($1::bigint[]) AND state IN ('pending', 'running') ORDER BY run_id, slice`), runs)
	if err != nil {
		return nil, err
	}
	type active struct {
		slice
		updated time.Time
	}
	slices, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (active, error) {
		var a active
		return a, r.Scan(&a.run, &a.n, &a.updated)
	})
	if err != nil || len(slices) == 0 {
		return nil, err
	}
	jobs, err := riverdb.UnfinishedJobs(ctx, s.pool, s.schema, SliceKind)
	if err != nil {
		return nil, err
	}
	live := map[string]bool{}
	for _, id := range alive {
		live[id] = true
	}
	hasJob, held := map[slice]bool{}, map[slice]bool{}
	for _, j := range jobs {
		var args struct {
			Run   int64 `json:"run"`
			Slice int   `json:"slice"`
		}
		if err := json.Unmarshal(j.Args, &args); err != nil {
			return nil, fmt.Errorf("read backfill job %d: %w", j.ID, err)
		}
		k := slice{args.Run, args.Slice}
		hasJob[k] = true
		if j.State == "running" && live[j.LastAttemptedBy] {
			held[k] = true
		}
	}
	work := map[int64]runWork{}
	for _, a := range slices {
		w, seen := work[a.run]
		if !seen {
			w = runWork{everySliceJob: true, sliceWithoutJob: -1}
		}
		if a.updated.After(w.lastProgress) {
			w.lastProgress = a.updated
		}
		w.held = w.held || held[a.slice]
		if !hasJob[a.slice] {
			w.everySliceJob = false
			if w.sliceWithoutJob < 0 {
				w.sliceWithoutJob = a.n
			}
		}
		work[a.run] = w
	}
	return work, nil
}
