package backfills

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/backoff"
	"github.com/steadydb/steady/internal/bookkeeping"
)

// Runner works slices of backfill runs, one job attempt at a time.
type Runner struct {
	pool    *pgxpool.Pool
	schema  bookkeeping.Schema
	catalog Catalog
	cfg     Config
	log     *slog.Logger

	mu        sync.Mutex
	throttled map[string]float64 // seconds held back by reason, since the process started

	defs definitions
}

// NewRunner validates cfg and returns a Runner of the catalog's backfills on pool (the POOLER's).
func NewRunner(pool *pgxpool.Pool, catalog Catalog, cfg Config) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Runner{pool: pool, schema: cfg.Schema, catalog: catalog, cfg: cfg, log: cfg.Logger, throttled: map[string]float64{},
		defs: definitions{byRun: map[int64]*Backfill{}}}, nil
}

// ThrottledSeconds is the time this process's slices were held back, by reason (Reasons),
// since it started: steady_backfill_throttled_seconds_total.
func (r *Runner) ThrottledSeconds() map[string]float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]float64, len(Reasons))
	for _, reason := range Reasons {
		out[reason] = r.throttled[reason]
	}
	return out
}

func (r *Runner) addThrottled(reason string, d time.Duration) {
	r.mu.Lock()
	r.throttled[reason] += d.Seconds()
	r.mu.Unlock()
}

// Outcome is how an attempt ended.
type Outcome int

const (
	OutcomeDone      Outcome = iota // the slice's range is covered
	OutcomeStopped                  // the slice is paused, cancelled, finished or gone: the job ends
	OutcomeContinue                 // the attempt's time is up: continue in a new attempt after Snooze
	OutcomeThrottled                // held back by the database's health when time was up: continue after Snooze
	OutcomeLost                     // another attempt took the slice over: this one stopped without writing
)

// Result is what one attempt did.
type Result struct {
	Outcome Outcome
	State   State         // the slice's state at the end
	Snooze  time.Duration // OutcomeContinue, OutcomeThrottled: when to continue
	Rows    int64         // rows changed by this attempt
	Batches int
	Holder  int64 // OutcomeLost: the job whose attempt holds the slice now
}

// LostError says that an attempt's slice was taken over by a later claim (a rescued job's
// retry, or a resumed slice's new job): the attempt stops, and its batch in flight rolled back.
type LostError struct {
	Run         int64
	Slice       int
	Job, Holder int64 // this attempt's job and the one holding the slice now
	Lease, Now  int64 // this attempt's lease and the slice's
}

func (e *LostError) Error() string {
	return fmt.Sprintf("backfill run %d slice %d: job %d's lease %d was taken over by job %d (lease %d); its checkpoint write was refused",
		e.Run, e.Slice, e.Job, e.Lease, e.Holder, e.Now)
}

// ErrUnknownSlice is returned for a job whose backfill is not in the catalog (and whose run has
// no stored definition) or whose slice row does not exist: retrying cannot help.
var ErrUnknownSlice = errors.New("backfill slice not found")

// slice is a slice row as an attempt sees it.
type slice struct {
	args          SliceJob
	from, to      int64
	cursor        int64
	batches       int64
	rate          float64
	size          int64
	lease         int64 // this attempt's: a checkpoint is written only while the slice's is the same
	jobID         int64
	lastCommitted time.Time
	activeS       float64            // seconds worked by earlier attempts
	throttledS    map[string]float64 // seconds held back by earlier attempts, by reason
}

// Run works the slice of args for one attempt: keyset batches from its checkpoint until the
// range is covered, the slice is paused or cancelled, or the attempt's time is up. Each batch is
// one transaction: SET LOCAL lock_timeout and statement_timeout, a row lock on the slice (which
// fences off a second worker and sees pause and cancel), the catalog's UPDATE for
// (checkpoint, checkpoint+size], and the new checkpoint. A crash loses nothing and redoes at
// most the batch in flight, which rolled back.
func (r *Runner) Run(ctx context.Context, args SliceJob, jobID int64) (Result, error) {
	b, err := r.backfillOf(ctx, args)
	if err != nil {
		return Result{}, err
	}
	log := r.log.With(slog.String("backfill", b.Name), slog.Int64("run", args.Run), slog.Int("slice", args.Slice))
	sl, state, err := r.claim(ctx, args, jobID)
	if err != nil || state != StateRunning {
		if err == nil {
			log.Info("backfill slice not running; job ends", slog.String("state", string(state)))
		}
		return Result{Outcome: OutcomeStopped, State: state}, err
	}
	log.Info("backfill slice attempt", slog.Int64("from_key", sl.cursor), slog.Int64("to_key", sl.to),
		slog.Int64("batch_size", sl.size), slog.Int64("job_id", jobID))
	// The first attempt counts the work in the background; batches do not wait for it.
	countDone := r.countFirst(ctx, b, sl, log)
	defer countDone()
	a := attempt{r: r, b: b, sl: sl, log: log, deadline: time.Now().Add(r.cfg.AttemptDuration),
		sizer: newSizer(r.cfg.TargetBatch, r.cfg.MinBatch, r.cfg.MaxBatch, sl.size),
		pace:  newPace(r.cfg.Yield), mark: time.Now()}
	res, err := a.run(ctx)
	var lost *LostError
	if errors.As(err, &lost) {
		log.Warn("backfill slice taken over by another attempt; this one stops without writing", slog.Int64("job_id", jobID),
			slog.Int64("holder_job_id", lost.Holder), slog.Int64("lease", lost.Lease), slog.Int64("current_lease", lost.Now))
		if lost.Holder == jobID && r.cfg.Fence != nil {
			// A later attempt of this very job: it was rescued because this worker was declared
			// dead. Reporting this attempt's outcome would overwrite the new attempt's job state.
			r.cfg.Fence(lost)
		}
		return Result{Outcome: OutcomeLost, State: StateRunning, Rows: res.Rows, Batches: res.Batches, Holder: lost.Holder}, nil
	}
	a.flush(context.WithoutCancel(ctx), jobID)
	if ctx.Err() != nil {
		// Shutdown or the job's timeout: the batch in flight rolled back; continue at once,
		// wherever a worker is free.
		log.Info("backfill attempt interrupted; it continues from the checkpoint", slog.Int64("cursor", sl.cursor))
		return Result{Outcome: OutcomeContinue, State: StateRunning, Rows: res.Rows, Batches: res.Batches}, nil
	}
	return res, err
}

// claim marks the slice running for this job, takes a new lease on it and reads it. A slice
// that is not pending or running is returned with its state and nothing else. The claim waits
// for the row lock of a batch in flight, so it reads the checkpoint that batch committed; an
// earlier attempt still working finds the lease changed at its next batch and stops.
func (r *Runner) claim(ctx context.Context, args SliceJob, jobID int64) (*slice, State, error) {
	sl := &slice{args: args, jobID: jobID, lastCommitted: time.Now()}
	err := r.pool.QueryRow(ctx, r.schema.SQL(`UPDATE steady_backfill_slices
		SET state = 'running', job_id = $3, lease = lease + 1, started_at = coalesce(started_at, now()), updated_at = now()
		WHERE run_id = $1 AND slice = $2 AND state IN ('pending', 'running')
		RETURNING key_from, key_to, cursor_key, batches, rate_per_s, batch_size, lease, active_s, throttled_s`),
		args.Run, args.Slice, jobID).Scan(&sl.from, &sl.to, &sl.cursor, &sl.batches, &sl.rate, &sl.size, &sl.lease, &sl.activeS, &sl.throttledS)
	if err == nil {
		sl.size = cmp.Or(sl.size, r.cfg.InitialBatch)
		return sl, StateRunning, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, "", fmt.Errorf("claim backfill slice: %w", err)
	}
	var state string
	err = r.pool.QueryRow(ctx, r.schema.SQL(`SELECT state FROM steady_backfill_slices WHERE run_id = $1 AND slice = $2`),
		args.Run, args.Slice).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", fmt.Errorf("%w: run %d slice %d", ErrUnknownSlice, args.Run, args.Slice)
	}
	if err != nil {
		return nil, "", fmt.Errorf("read backfill slice: %w", err)
	}
	return nil, State(state), nil
}

// Fail marks the slice failed with err: its job has no attempt left.
func (r *Runner) Fail(ctx context.Context, args SliceJob, cause error) error {
	_, err := r.pool.Exec(ctx, r.schema.SQL(`UPDATE steady_backfill_slices
		SET state = 'failed', error = $3, finished_at = now(), updated_at = now()
		WHERE run_id = $1 AND slice = $2 AND state IN ('pending', 'running')`), args.Run, args.Slice, cause.Error())
	return err
}

// Note records a failed attempt's error on the slice; the job will be retried.
func (r *Runner) Note(ctx context.Context, args SliceJob, cause error) error {
	_, err := r.pool.Exec(ctx, r.schema.SQL(`UPDATE steady_backfill_slices SET error = $3, updated_at = now()
		WHERE run_id = $1 AND slice = $2`), args.Run, args.Slice, cause.Error())
	return err
}

// JobTimeout is the River timeout of one attempt (Config.JobTimeout).
func (r *Runner) JobTimeout() time.Duration { return r.cfg.JobTimeout() }

// attempt is one job attempt's loop.
type attempt struct {
	r        *Runner
	b        Backfill
	sl       *slice
	log      *slog.Logger
	deadline time.Time
	sizer    *sizer

	pace      *pace
	health    health
	throttled string // why batches are held back, "" when they are not
	backoff   time.Duration
	mark      time.Time // sl.activeS counts the time worked up to mark
	unsaved   bool      // time held back since the last checkpoint, not yet saved
	failures  int       // consecutive transient batch failures
	res       Result
}

// maxTransient is how many transient failures in a row an attempt retries itself before it
// fails and leaves the retry to River (with River's backoff).
const maxTransient = 5

func (a *attempt) run(ctx context.Context) (Result, error) {
	for {
		if a.sl.cursor >= a.sl.to {
			a.res.Outcome, a.res.State = OutcomeDone, StateDone
			return a.res, nil
		}
		if !time.Now().Before(a.deadline) {
			a.res.Outcome, a.res.State = OutcomeContinue, StateRunning
			if a.throttled != "" {
				a.res.Outcome, a.res.Snooze = OutcomeThrottled, a.backoff
			}
			return a.res, nil
		}
		if reason, why := a.check(ctx); reason != "" {
			a.hold(ctx, reason, why)
			continue
		}
		stop, took, err := a.batch(ctx)
		if err != nil {
			if ctx.Err() != nil || !transient(err) || a.failures+1 >= maxTransient {
				return a.res, err
			}
			a.failures++
			if timedOut(err) {
				a.sizer.timedOut()
			}
			a.log.Warn("backfill batch failed; retrying", slog.Any("error", err), slog.Int("failures", a.failures),
				slog.Int64("next_batch_size", a.sizer.next()))
			a.sleep(ctx, a.nextBackoff())
			continue
		}
		a.failures = 0
		if a.throttled == "" {
			a.backoff = 0
		}
		if stop != "" {
			a.log.Info("backfill slice stopped at a batch boundary", slog.String("state", string(stop)))
			a.res.Outcome, a.res.State = OutcomeStopped, stop
			return a.res, nil
		}
		if w := a.pace.wait(took); w > 0 && a.sl.cursor < a.sl.to {
			a.account(ReasonApplication, a.sleep(ctx, w))
		}
	}
}

// account records time held back for reason: in the slice's totals, saved with the next
// checkpoint, and in the process's counters.
func (a *attempt) account(reason string, d time.Duration) {
	if d <= 0 {
		return
	}
	if a.sl.throttledS == nil {
		a.sl.throttledS = map[string]float64{}
	}
	a.sl.throttledS[reason] += d.Seconds()
	a.unsaved = true
	a.r.addThrottled(reason, d)
}

// secondsJSON encodes seconds by reason for a jsonb parameter (exec mode infers parameter types
// from Go types, and has none for a map).
func secondsJSON(m map[string]float64) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m) // a map of floats always encodes
	return string(b)
}

// flush saves the time worked and held back since the last checkpoint (the attempt ended while
// waiting), unless another job has taken the slice over.
func (a *attempt) flush(ctx context.Context, jobID int64) {
	if !a.unsaved {
		return
	}
	now := time.Now()
	_, err := a.r.pool.Exec(ctx, a.r.schema.SQL(`UPDATE steady_backfill_slices SET active_s = $3, throttled_s = $4::jsonb
		WHERE run_id = $1 AND slice = $2 AND job_id = $5 AND cursor_key = $6 AND lease = $7`),
		a.sl.args.Run, a.sl.args.Slice, a.sl.activeS+now.Sub(a.mark).Seconds(), secondsJSON(a.sl.throttledS), jobID, a.sl.cursor, a.sl.lease)
	if err != nil {
		a.log.Warn("record time held back", slog.Any("error", err))
	}
}

// check reads the database's health at most every HealthEvery and returns why batches should
// wait (a Reason and a sentence), or "".
func (a *attempt) check(ctx context.Context) (string, string) {
	if time.Since(a.health.CheckedAt) >= a.r.cfg.HealthEvery {
		a.health = readHealth(ctx, a.r.pool, a.b.Table)
		if a.health.checkFailed != nil && ctx.Err() == nil {
			a.log.Debug("backfill health check failed", slog.Any("error", a.health.checkFailed))
		}
	}
	reason, why := a.health.holdBack(a.r.cfg, a.b.Table)
	if reason == "" && a.throttled != "" {
		a.log.Info("backfill no longer held back", slog.String("was", a.throttled))
		a.throttled, a.backoff = "", 0
	}
	return reason, why
}

// hold waits before the next batch because of reason, logging and recording a new one once.
func (a *attempt) hold(ctx context.Context, reason, why string) {
	if why != a.throttled {
		a.throttled = why
		a.log.Warn("backfill held back", slog.String("reason", why), slog.String("code", reason))
		_, err := a.r.pool.Exec(ctx, a.r.schema.SQL(`UPDATE steady_backfill_slices SET throttled = $3, updated_at = now()
			WHERE run_id = $1 AND slice = $2`), a.sl.args.Run, a.sl.args.Slice, why)
		if err != nil && ctx.Err() == nil {
			a.log.Warn("record backfill throttling", slog.Any("error", err))
		}
	}
	a.account(reason, a.sleep(ctx, a.nextBackoff()))
	a.health.CheckedAt = time.Time{} // look again after the wait
}

func (a *attempt) nextBackoff() time.Duration {
	a.backoff = min(max(2*a.backoff, 250*time.Millisecond), a.r.cfg.MaxBackoff)
	return a.backoff
}

// sleep waits d with ±20 % jitter (replicas must not move in step), never past the deadline,
// and returns how long it waited.
func (a *attempt) sleep(ctx context.Context, d time.Duration) time.Duration {
	d = min(backoff.Jitter(d, 0.2), time.Until(a.deadline))
	if d <= 0 {
		return 0
	}
	start := time.Now()
	_ = backoff.Sleep(ctx, d) // a cancelled context is the caller's to see
	return time.Since(start)
}

// batch runs one batch and returns how long it took. It returns the slice's state when the
// slice must stop (paused, cancelled, or its checkpoint moved under another worker), "" otherwise.
func (a *attempt) batch(ctx context.Context) (State, time.Duration, error) {
	sl := a.sl
	size := a.sizer.next()
	hi := sl.to
	if uint64(sl.to)-uint64(sl.cursor) > uint64(size) {
		hi = sl.cursor + size
	}
	from, start := sl.cursor, time.Now()
	tx, err := a.r.pool.Begin(ctx)
	if err != nil {
		return "", 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit this is a no-op
	var lockTimeout, stmtTimeout, idleTimeout string
	var active int
	if err := tx.QueryRow(ctx, `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true),
		set_config('idle_in_transaction_session_timeout', $3, true), (`+othersActive+`)`,
		ms(a.r.cfg.LockTimeout), ms(a.r.cfg.StatementTimeout), ms(a.r.cfg.IdleTimeout)).Scan(&lockTimeout, &stmtTimeout, &idleTimeout, &active); err != nil {
		return "", 0, err
	}
	a.pace.observe(active)
	var state string
	var cursor, lease, holder int64
	if err := tx.QueryRow(ctx, a.r.schema.SQL(`SELECT state, cursor_key, lease, coalesce(job_id, 0) FROM steady_backfill_slices
		WHERE run_id = $1 AND slice = $2 FOR UPDATE`), sl.args.Run, sl.args.Slice).Scan(&state, &cursor, &lease, &holder); err != nil {
		return "", 0, err
	}
	if s := State(state); s != StateRunning && s != StatePending {
		return s, 0, nil
	}
	if lease != sl.lease || cursor != sl.cursor {
		// Another attempt claimed the slice (or, from a steady without leases, moved the
		// checkpoint): it owns the slice now.
		return "", 0, &LostError{Run: sl.args.Run, Slice: sl.args.Slice, Job: sl.jobID, Holder: holder, Lease: sl.lease, Now: lease}
	}
	tag, err := tx.Exec(ctx, a.b.Update, sl.cursor, hi)
	if err != nil {
		return "", 0, err
	}
	rows := tag.RowsAffected()
	done := hi == sl.to
	now := time.Now()
	rate := smoothRate(sl.rate, rows, now.Sub(sl.lastCommitted))
	activeS := sl.activeS + now.Sub(a.mark).Seconds()
	tag, err = tx.Exec(ctx, a.r.schema.SQL(`UPDATE steady_backfill_slices
		SET cursor_key = $3, rows_done = rows_done + $4,
		    rows_remaining = CASE WHEN $6 THEN 0 WHEN rows_remaining IS NOT NULL THEN greatest(rows_remaining - $4, 0) END,
		    batch_size = $5, batches = batches + 1, rate_per_s = $7,
		    state = CASE WHEN $6 THEN 'done' ELSE 'running' END,
		    finished_at = CASE WHEN $6 THEN now() END,
		    active_s = $8, throttled_s = $9::jsonb, throttled = nullif($10, ''),
		    error = NULL, updated_at = now()
		WHERE run_id = $1 AND slice = $2 AND lease = $11`),
		sl.args.Run, sl.args.Slice, hi, rows, size, done, rate, activeS, secondsJSON(sl.throttledS), a.pace.reason(), sl.lease)
	if err != nil {
		return "", 0, err
	}
	if tag.RowsAffected() != 1 {
		// The row lock taken above makes this unreachable; the lease in the WHERE is the fence
		// that holds whatever the code before it becomes.
		return "", 0, &LostError{Run: sl.args.Run, Slice: sl.args.Slice, Job: sl.jobID, Holder: holder, Lease: sl.lease, Now: -1}
	}
	if err := tx.Commit(ctx); err != nil {
		return "", 0, err
	}
	took := time.Since(start)
	sl.activeS, a.mark, a.unsaved = activeS, now, false
	a.sizer.observe(size, took)
	sl.cursor, sl.rate, sl.lastCommitted = hi, rate, time.Now()
	a.res.Rows += rows
	a.res.Batches++
	a.log.Debug("backfill batch", slog.Int64("from_key", from), slog.Int64("to_key", hi), slog.Int64("size", size),
		slog.Int64("rows", rows), slog.Float64("ms", float64(took.Microseconds())/1000), slog.Int64("next_size", a.sizer.next()),
		slog.Int("others_active", active), slog.Float64("nice", a.pace.nice))
	if done {
		a.log.Info("backfill slice done")
	}
	return "", took, nil
}

// othersActive counts the client backends of this database running a statement, other than
// steady's (its application_name, which PgBouncer passes on): the application's demand.
// Sessions of other roles count only when steady's role may see them (pg_read_all_stats).
const othersActive = `SELECT count(*)::int FROM pg_stat_activity
WHERE datname = current_database() AND backend_type = 'client backend' AND state = 'active'
  AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM current_setting('application_name')`

// smoothRate folds one batch into the rate (rows per second of wall time, waits included).
func smoothRate(prev float64, rows int64, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return prev
	}
	inst := float64(rows) / elapsed.Seconds()
	if prev == 0 {
		return inst
	}
	return 0.3*inst + 0.7*prev
}

func ms(d time.Duration) string { return strconv.FormatInt(max(d.Milliseconds(), 1), 10) + "ms" }
