package backfills

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/rivertype"

	"github.com/steadydb/steady/internal/bookkeeping"
)

// State is a run's or a slice's state.
type State string

const (
	StatePending   State = "pending"   // enqueued, no batch yet
	StateRunning   State = "running"   // being worked, or waiting for its next attempt
	StatePaused    State = "paused"    // held by steady backfill pause; resume continues from the checkpoint
	StateDone      State = "done"      // every key of the range was processed
	StateFailed    State = "failed"    // the last attempt failed; the error is kept
	StateCancelled State = "cancelled" // stopped for good by steady backfill cancel
	StateNever     State = "never"     // status only: the backfill has no run
	// StateStalled, status only: a pending or running run that has made no progress for longer
	// than the stalled bound while no live worker holds it (no worker is running, or a slice
	// has no job). It continues from its checkpoints when a worker works it again.
	StateStalled State = "stalled"
)

// Active reports whether a run in this state may still do work: one active run per backfill.
func (s State) Active() bool {
	return s == StatePending || s == StateRunning || s == StatePaused || s == StateStalled
}

// Trigger says what started a run.
type Trigger string

const (
	TriggerManual   Trigger = "manual"   // steady backfill enqueue
	TriggerSchedule Trigger = "schedule" // a cron schedule
	TriggerStart    Trigger = "start"    // the worker's start (STEADY_BACKFILL_ON_START)
	// TriggerAdhoc: a run of a file that is in no catalog, or of a catalog backfill over part
	// of its key range (steady backfill enqueue --file, --from, --to).
	TriggerAdhoc Trigger = "adhoc"
)

// ErrNoActiveRun is returned by Pause, Resume and Cancel when the backfill has nothing running.
var ErrNoActiveRun = errors.New("no active run")

// SliceKind is the River kind of the jobs that work slices (jobs.BackfillArgs).
const SliceKind = "steady_backfill"

// SliceJob names the River job that works one slice of one run: the job's arguments
// (jobs.BackfillArgs has the same fields). The slice's key range and checkpoint live in
// steady_backfill_slices; the statements live in the catalog.
type SliceJob struct {
	Backfill string
	Run      int64
	Slice    int
	Gen      int // bumped by each resume: a resumed slice's job is a new one
}

// Inserter inserts the jobs of slices in the caller's transaction, unique per live job of a
// slice. The job arguments are the product's (package jobs): workers.BackfillJobs is the
// Inserter on a River client, insert-only or not.
type Inserter interface {
	InsertSliceJobs(ctx context.Context, tx pgx.Tx, jobs []SliceJob) ([]*rivertype.JobInsertResult, error)
}

// Store reads and changes backfill runs. It works through a transaction pooler: every
// statement is a transaction of its own or part of an explicit one.
type Store struct {
	pool         *pgxpool.Pool
	tables       *bookkeeping.Tables
	schema       bookkeeping.Schema
	catalog      Catalog
	stalledAfter time.Duration
}

// DefaultStalledAfter is how long a run nobody works may go without progress before Status
// calls it stalled.
const DefaultStalledAfter = 30 * time.Second

// NewStore returns a Store of the catalog's backfills on pool (the POOLER's), its tables where
// tables says.
func NewStore(pool *pgxpool.Pool, tables *bookkeeping.Tables, catalog Catalog) *Store {
	return &Store{pool: pool, tables: tables, schema: tables.Schema(), catalog: catalog, stalledAfter: DefaultStalledAfter}
}

// Schema is where the store's tables (and River's) are.
func (s *Store) Schema() bookkeeping.Schema { return s.schema }

// Catalog is the catalog the store's names come from.
func (s *Store) Catalog() Catalog { return s.catalog }

// Pool is the pool the store works on (the POOLER's).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// WithStalledAfter returns a Store whose Status calls a run stalled after d without progress
// while no live worker holds it (d > 0).
func (s *Store) WithStalledAfter(d time.Duration) *Store {
	c := *s
	if d > 0 {
		c.stalledAfter = d
	}
	return &c
}

// StartOpts says how to start a run.
type StartOpts struct {
	Slices  int // key-range slices, each with its own job and checkpoint; default 1
	Trigger Trigger
	Slot    time.Time // scheduled runs: the schedule's time the run is for
	// From and To bound the keys the run covers, (From, To] as :from and :to in the file;
	// nil: from the table's smallest key, to its largest when the run starts.
	From, To *int64
}

// Check refuses options no run can have: slices out of 1..MaxSlices, an empty key range.
func (o StartOpts) Check() error {
	switch {
	case o.Slices < 0 || o.Slices > MaxSlices:
		return &OptionError{Option: "slices", Reason: fmt.Sprintf("%d: want 1 to %d", o.Slices, MaxSlices)}
	case o.From != nil && o.To != nil && *o.From >= *o.To:
		return &OptionError{Option: "from", Reason: fmt.Sprintf("%d is not below to %d: the run covers the keys above from, up to to", *o.From, *o.To)}
	}
	return nil
}

// OptionError is a start option no run can have.
type OptionError struct{ Option, Reason string }

func (e *OptionError) Error() string { return e.Option + " " + e.Reason }

// StartResult is what Start did.
type StartResult struct {
	Backfill string
	Run      int64
	Slices   int
	Started  bool  // a new run was created and its jobs inserted
	State    State // the active run's state when one existed (nothing was started)
	Requeued int   // jobs of the active run that were missing (discarded, deleted) and inserted again
	SlotRun  bool  // a run for Slot existed already
}

// String is what steady backfill enqueue says of the result, and what a start job records as
// its output: the same answer wherever the run was started from.
func (r StartResult) String() string {
	switch {
	case r.Started:
		return fmt.Sprintf("%s: enqueued run %d (%d slices)", r.Backfill, r.Run, r.Slices)
	case r.SlotRun:
		return fmt.Sprintf("%s: run %d is this scheduled time's; nothing enqueued", r.Backfill, r.Run)
	case r.State == StatePaused:
		return fmt.Sprintf("%s: run %d is paused; nothing enqueued (steady backfill resume %s)", r.Backfill, r.Run, r.Backfill)
	}
	msg := fmt.Sprintf("%s: run %d is already %s; nothing enqueued", r.Backfill, r.Run, r.State)
	if r.Requeued > 0 {
		msg += fmt.Sprintf(" (%d of its slices had lost their job and got a new one)", r.Requeued)
	}
	return msg
}

// Start starts a run of b unless one is active, in one transaction with its jobs: either the
// run and all its slices' jobs exist, or nothing does. When a run is active it is left alone,
// except that a slice that is due to run but has no live job gets one again (unique inserts
// make that a no-op for slices whose job is alive).
//
// b is a catalog entry, or a file in no catalog (an ad hoc run). Either way its file is
// stored, by its checksum, for the workers to read: a run works the definition it was started
// with, whatever catalog the worker that picks it up has. Before a run is created its key is checked on the
// database, and an ad hoc file's statements are planned with EXPLAIN (nothing has checked them
// yet; catalog files were checked against the migrations when the worker started): a
// *DefinitionError, and nothing is written, when they do not fit it.
func (s *Store) Start(ctx context.Context, ins Inserter, b Backfill, opts StartOpts) (StartResult, error) {
	var res StartResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) (err error) {
		res, err = s.StartTx(ctx, tx, ins, b, opts)
		return err
	})
	return res, err
}

// StartTx is Start in the caller's transaction (the start job completes itself in it, so that
// a retried job never starts a second run).
func (s *Store) StartTx(ctx context.Context, tx pgx.Tx, ins Inserter, b Backfill, opts StartOpts) (StartResult, error) {
	res := StartResult{Backfill: b.Name}
	if err := opts.Check(); err != nil {
		return res, fmt.Errorf("start backfill %s: %w", b.Name, err)
	}
	_, inCatalog := s.catalog.Lookup(b.Name)
	if !inCatalog && b.Source == "" {
		return res, fmt.Errorf("start backfill %s: %w", b.Name, s.catalog.Unknown(b.Name))
	}
	slices := max(opts.Slices, 1)
	err := func() error {
		// One starter per backfill at a time: a transaction-scoped lock holds through the pooler.
		if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', '5s', true), set_config('statement_timeout', '60s', true),
			pg_advisory_xact_lock(hashtextextended('steady_backfill:' || $1, 0))`, b.Name); err != nil {
			return err
		}
		if !opts.Slot.IsZero() {
			err := tx.QueryRow(ctx, s.schema.SQL(`SELECT id FROM steady_backfill_runs WHERE backfill = $1 AND slot = $2`), b.Name, opts.Slot).Scan(&res.Run)
			if err == nil {
				res.SlotRun = true
				return nil
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		active, err := activeRun(ctx, tx, s.schema, b.Name)
		if err != nil || active != nil {
			if active != nil {
				res.Run, res.Slices, res.State = active.id, active.slices, active.state
				res.Requeued, err = insertJobs(ctx, tx, ins, active.due)
			}
			return err
		}
		if err := checkOnDatabase(ctx, tx, b, !inCatalog); err != nil {
			return err
		}
		// The run keeps the file it was started with: a worker whose catalog is older or newer
		// (the file added or changed since it started) runs what was enqueued.
		var definition *int64
		if b.Source != "" {
			if definition, err = s.storeDefinition(ctx, tx, b); err != nil {
				return err
			}
		}
		bounds, err := keyBounds(ctx, tx, b, opts.From, opts.To)
		if err != nil {
			return err
		}
		ranges := splitRange(bounds[0], bounds[1], slices)
		res.Slices, res.Started = len(ranges), true
		err = tx.QueryRow(ctx, s.schema.SQL(`INSERT INTO steady_backfill_runs (backfill, slices, trigger, slot, definition_id, key_from, key_to)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`), b.Name, len(ranges), string(opts.Trigger), nullTime(opts.Slot),
			definition, opts.From, opts.To).Scan(&res.Run)
		if err != nil {
			return err
		}
		var due []SliceJob
		froms, tos, states := make([]int64, len(ranges)), make([]int64, len(ranges)), make([]string, len(ranges))
		for i, r := range ranges {
			froms[i], tos[i], states[i] = r[0], r[1], string(StatePending)
			if r[0] == r[1] {
				states[i] = string(StateDone) // nothing in range: done from the start
				continue
			}
			due = append(due, SliceJob{Backfill: b.Name, Run: res.Run, Slice: i})
		}
		_, err = tx.Exec(ctx, s.schema.SQL(`INSERT INTO steady_backfill_slices (run_id, slice, key_from, key_to, cursor_key, state, rows_remaining, finished_at)
			SELECT $1, i - 1, f, t, f, st, CASE WHEN st = 'done' THEN 0 END, CASE WHEN st = 'done' THEN now() END
			FROM unnest($2::bigint[], $3::bigint[], $4::text[]) WITH ORDINALITY AS u (f, t, st, i)`),
			res.Run, froms, tos, states)
		if err != nil {
			return err
		}
		_, err = insertJobs(ctx, tx, ins, due)
		return err
	}()
	if err != nil {
		return res, fmt.Errorf("start backfill %s: %w", b.Name, err)
	}
	return res, nil
}

type active struct {
	id     int64
	slices int
	state  State
	due    []SliceJob // the jobs of the slices that are pending or running: each should be live
}

// activeRun is the backfill's run with a slice that may still work, if any.
func activeRun(ctx context.Context, tx pgx.Tx, schema bookkeeping.Schema, name string) (*active, error) {
	var a active
	var running, paused bool
	var slices, gens []int
	err := tx.QueryRow(ctx, schema.SQL(`SELECT r.id, r.slices,
			coalesce(array_agg(s.slice ORDER BY s.slice) FILTER (WHERE s.state IN ('pending', 'running')), '{}'),
			coalesce(array_agg(s.job_gen ORDER BY s.slice) FILTER (WHERE s.state IN ('pending', 'running')), '{}'),
			bool_or(s.state = 'running' OR s.started_at IS NOT NULL), bool_or(s.state = 'paused')
		FROM steady_backfill_runs r
		JOIN steady_backfill_slices s ON s.run_id = r.id
		WHERE r.backfill = $1 AND s.state IN ('pending', 'running', 'paused')
		GROUP BY r.id
		ORDER BY r.id DESC
		LIMIT 1`), name).Scan(&a.id, &a.slices, &slices, &gens, &running, &paused)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for i, sl := range slices {
		a.due = append(a.due, SliceJob{Backfill: name, Run: a.id, Slice: sl, Gen: gens[i]})
	}
	a.state = StatePending
	switch {
	case len(a.due) == 0 && paused:
		a.state = StatePaused
	case running:
		a.state = StateRunning
	}
	return &a, nil
}

func insertJobs(ctx context.Context, tx pgx.Tx, ins Inserter, args []SliceJob) (int, error) {
	if len(args) == 0 {
		return 0, nil
	}
	results, err := ins.InsertSliceJobs(ctx, tx, args)
	if err != nil {
		return 0, fmt.Errorf("insert jobs: %w", err)
	}
	inserted := 0
	for _, r := range results {
		if !r.UniqueSkippedAsDuplicate {
			inserted++
		}
	}
	return inserted, nil
}

// keyBounds is the key range to cover: (min-1, max], or (from, to] where they are given. Rows
// added later above max are not part of the run (the application writes new rows correctly;
// the next run picks up stragglers).
func keyBounds(ctx context.Context, tx pgx.Tx, b Backfill, from, to *int64) ([2]int64, error) {
	if from != nil && to != nil {
		return [2]int64{*from, *to}, nil
	}
	key := pgx.Identifier{b.Key}.Sanitize()
	var lo, hi *int64
	err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT min(%s)::bigint, max(%s)::bigint FROM %s`,
		key, key, pgx.Identifier{b.KeyRelation()}.Sanitize())).Scan(&lo, &hi)
	if err != nil {
		return [2]int64{}, fmt.Errorf("key range of %s.%s: %w", b.KeyRelation(), b.Key, err)
	}
	if lo == nil || hi == nil {
		lo, hi = new(int64), new(int64) // an empty table: nothing to do
	} else if *lo > -1<<63 {
		*lo-- // the range's lower bound is exclusive
	}
	out := [2]int64{*lo, *hi}
	if from != nil {
		out[0] = *from
	}
	if to != nil {
		out[1] = *to
	}
	out[1] = max(out[1], out[0]) // from above the largest key: an empty range, done at once
	return out, nil
}

// splitRange cuts (from, to] into at most n contiguous, non-overlapping ranges that cover it
// exactly: range i is (b[i], b[i+1]] with b[0] = from and b[n] = to.
func splitRange(from, to int64, n int) [][2]int64 {
	span := uint64(to) - uint64(from) // to >= from; unsigned so that any int64 range fits
	if uint64(n) > span {
		n = int(max(span, 1))
	}
	step, rem := span/uint64(n), span%uint64(n)
	out := make([][2]int64, n)
	lo := from
	for i := range n {
		size := step
		if uint64(i) < rem {
			size++
		}
		hi := int64(uint64(lo) + size)
		out[i] = [2]int64{lo, hi}
		lo = hi
	}
	return out
}

// Change is what Pause, Resume or Cancel did to the active run.
type Change struct {
	Backfill string
	Run      int64
	Slices   int // slices whose state changed
	Requeued int // Resume: jobs inserted for the resumed slices
}

// Pause holds the active run: its jobs stop at their next batch boundary, the checkpoints stay.
func (s *Store) Pause(ctx context.Context, name string) (Change, error) {
	return s.change(ctx, nil, name, `UPDATE steady_backfill_slices SET state = 'paused', updated_at = now()
		WHERE run_id = $1 AND state IN ('pending', 'running') RETURNING slice, job_gen`)
}

// Resume continues a paused run from its checkpoints. Each resumed slice gets a job of a new
// generation: the paused one may not have ended yet (it stops at a batch boundary), and a
// unique insert would then be skipped and leave the slice without a live job. Should the old
// one still be working, the slice's row lock and checkpoint let only one of them go on.
func (s *Store) Resume(ctx context.Context, ins Inserter, name string) (Change, error) {
	return s.change(ctx, ins, name, `UPDATE steady_backfill_slices
		SET state = 'pending', job_gen = job_gen + 1, throttled = NULL, updated_at = now()
		WHERE run_id = $1 AND state = 'paused' RETURNING slice, job_gen`)
}

// Cancel stops the active run for good; what its batches committed stays.
func (s *Store) Cancel(ctx context.Context, name string) (Change, error) {
	return s.change(ctx, nil, name, `UPDATE steady_backfill_slices SET state = 'cancelled', finished_at = now(), updated_at = now()
		WHERE run_id = $1 AND state IN ('pending', 'running', 'paused') RETURNING slice, job_gen`)
}

func (s *Store) change(ctx context.Context, ins Inserter, name, update string) (Change, error) {
	c := Change{Backfill: name}
	update = s.schema.SQL(update)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', '5s', true),
			pg_advisory_xact_lock(hashtextextended('steady_backfill:' || $1, 0))`, name); err != nil {
			return err
		}
		a, err := activeRun(ctx, tx, s.schema, name)
		if err != nil {
			return err
		}
		if a == nil {
			return ErrNoActiveRun
		}
		c.Run = a.id
		rows, err := tx.Query(ctx, update, a.id)
		if err != nil {
			return err
		}
		changed, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (SliceJob, error) {
			j := SliceJob{Backfill: name, Run: a.id}
			return j, row.Scan(&j.Slice, &j.Gen)
		})
		if err != nil {
			return err
		}
		c.Slices = len(changed)
		if ins != nil {
			c.Requeued, err = insertJobs(ctx, tx, ins, changed)
		}
		return err
	})
	if missingTable(err) {
		err = ErrNoActiveRun
	}
	return c, err
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
