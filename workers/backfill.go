package workers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/jobs"
)

// BackfillJobs inserts jobs.BackfillArgs for the backfill engine (backfills.Inserter). The
// client may be insert-only.
type BackfillJobs struct{ *river.Client[pgx.Tx] }

// InsertSliceJobs inserts the slices' jobs in tx.
func (c BackfillJobs) InsertSliceJobs(ctx context.Context, tx pgx.Tx, slices []backfills.SliceJob) ([]*rivertype.JobInsertResult, error) {
	params := make([]river.InsertManyParams, len(slices))
	for i, s := range slices {
		params[i] = river.InsertManyParams{Args: jobs.BackfillArgs(s)}
	}
	return c.InsertManyTx(ctx, tx, params)
}

// Backfill works one slice of a backfill run for one short attempt, then snoozes to continue:
// attempts stay short so that a crashed worker's job is rescued soon and a stop is quick
// (docs/architecture.md, "River's timeouts and rescue"). The checkpoint is in
// steady_backfill_slices, committed with each batch.
type Backfill struct {
	river.WorkerDefaults[jobs.BackfillArgs]
	Runner *backfills.Runner
	Log    *slog.Logger
}

// Timeout is finite: a timeout of -1 would never be rescued after a crash.
func (w *Backfill) Timeout(*river.Job[jobs.BackfillArgs]) time.Duration { return w.Runner.JobTimeout() }

func (w *Backfill) Work(ctx context.Context, job *river.Job[jobs.BackfillArgs]) error {
	args := backfills.SliceJob(job.Args)
	res, err := w.Runner.Run(ctx, args, job.ID)
	if err != nil {
		if errors.Is(err, backfills.ErrUnknownSlice) || errors.Is(err, backfills.ErrBadDefinition) {
			// A backfill removed from the catalog, or a stored definition that no longer reads:
			// retrying cannot help, and its run ends failed.
			if ferr := w.Runner.Fail(context.WithoutCancel(ctx), args, err); ferr != nil {
				w.Log.Warn("record backfill error", slog.Any("error", ferr))
			}
			return river.JobCancel(err)
		}
		record := w.Runner.Note
		if job.Attempt >= job.MaxAttempts {
			record = w.Runner.Fail
		}
		if rerr := record(context.WithoutCancel(ctx), args, err); rerr != nil {
			w.Log.Warn("record backfill error", slog.Any("error", rerr))
		}
		return err
	}
	switch res.Outcome {
	case backfills.OutcomeContinue, backfills.OutcomeThrottled:
		return river.JobSnooze(res.Snooze)
	case backfills.OutcomeLost:
		// Another job holds the slice (a resumed slice's new generation): this one is done. When
		// the holder is a later attempt of this very job, the runner's Fence has stopped the
		// process before this return could overwrite that attempt's state.
		return nil
	}
	return nil
}

// BackfillScheduled starts the run a schedule asks for; the run's slices are jobs of their own.
type BackfillScheduled struct {
	river.WorkerDefaults[jobs.BackfillScheduledArgs]
	Store *backfills.Store
	Log   *slog.Logger
}

func (w *BackfillScheduled) Timeout(*river.Job[jobs.BackfillScheduledArgs]) time.Duration {
	return time.Minute
}

func (w *BackfillScheduled) Work(ctx context.Context, job *river.Job[jobs.BackfillScheduledArgs]) error {
	b, ok := w.Store.Catalog().Lookup(job.Args.Backfill)
	if !ok {
		return river.JobCancel(w.Store.Catalog().Unknown(job.Args.Backfill))
	}
	res, err := w.Store.Start(ctx, BackfillJobs{Client: river.ClientFromContext[pgx.Tx](ctx)}, b,
		backfills.StartOpts{Slices: b.Slices, Trigger: backfills.TriggerSchedule, Slot: job.Args.Slot})
	if err != nil {
		return err
	}
	log := w.Log.With(slog.String("backfill", b.Name), slog.Time("slot", job.Args.Slot), slog.Int64("run", res.Run))
	switch {
	case res.SlotRun:
		log.Info("scheduled backfill already ran for this time; nothing started")
	case !res.Started:
		log.Info("scheduled backfill skipped: a run is still active", slog.String("state", string(res.State)))
	default:
		log.Info("scheduled backfill started", slog.Int("slices", res.Slices))
	}
	return nil
}

// RegisterBackfills adds the backfill workers to River's registry. holdAlive may be nil (see
// BackfillStart.HoldAlive).
func RegisterBackfills(w *river.Workers, runner *backfills.Runner, store *backfills.Store, holdAlive func(context.Context, pgx.Tx) error, log *slog.Logger) {
	river.AddWorker(w, &Backfill{Runner: runner, Log: log})
	river.AddWorker(w, &BackfillScheduled{Store: store, Log: log})
	river.AddWorker(w, &BackfillStart{Store: store, HoldAlive: holdAlive, Log: log})
}

// BackfillStart starts the run a steady_backfill_start job asks for, exactly as steady backfill
// enqueue does (the same checks, the same answer when a run is active), for programs that only
// insert River jobs. Args that no run can have cancel the job at once, with the reason in its
// errors, and write nothing.
type BackfillStart struct {
	river.WorkerDefaults[jobs.BackfillStartArgs]
	Store *backfills.Store
	Log   *slog.Logger
	// HoldAlive, when set, runs first in the transaction that completes the job: it fails
	// when the others have declared this worker dead, and keeps them from it until the
	// transaction ends (liveness.Heartbeat.HoldAlive).
	HoldAlive func(context.Context, pgx.Tx) error
}

func (w *BackfillStart) Timeout(*river.Job[jobs.BackfillStartArgs]) time.Duration { return time.Minute }

// BackfillStartOutput is what a start job records as its output (metadata "output").
type BackfillStartOutput struct {
	Backfill string `json:"backfill"`
	Run      int64  `json:"run"`
	Slices   int    `json:"slices"`
	Started  bool   `json:"started"`         // false: a run was active and was left alone
	State    string `json:"state,omitempty"` // the active run's, when one was
	Message  string `json:"message"`         // what steady backfill enqueue prints
}

func (w *BackfillStart) Work(ctx context.Context, job *river.Job[jobs.BackfillStartArgs]) error {
	args := job.Args
	if err := args.Check(); err != nil {
		return river.JobCancel(fmt.Errorf("%s: %w", jobs.BackfillStartKind, err))
	}
	b, ok := w.Store.Catalog().Lookup(args.Backfill)
	if !ok {
		return river.JobCancel(fmt.Errorf("%s: %w", jobs.BackfillStartKind, w.Store.Catalog().Unknown(args.Backfill)))
	}
	opts := backfills.StartOpts{Slices: cmp.Or(args.Slices, b.Slices), Trigger: backfills.TriggerManual, From: args.From, To: args.To}
	if args.From != nil || args.To != nil {
		opts.Trigger = backfills.TriggerAdhoc
	}
	if err := opts.Check(); err != nil {
		return river.JobCancel(fmt.Errorf("%s: args: %w", jobs.BackfillStartKind, err))
	}
	var res backfills.StartResult
	// The run and this job's completion commit together: a retry after a crash finds the job
	// completed rather than starting a second run once the first has ended.
	err := pgx.BeginFunc(ctx, w.Store.Pool(), func(tx pgx.Tx) (err error) {
		if w.HoldAlive != nil {
			if err := w.HoldAlive(ctx, tx); err != nil {
				return err
			}
		}
		if res, err = w.Store.StartTx(ctx, tx, BackfillJobs{Client: river.ClientFromContext[pgx.Tx](ctx)}, b, opts); err != nil {
			return err
		}
		out := BackfillStartOutput{Backfill: res.Backfill, Run: res.Run, Slices: res.Slices, Started: res.Started, Message: res.String()}
		if !res.Started {
			out.State = string(res.State)
		}
		if err := river.RecordOutput(ctx, out); err != nil {
			return err
		}
		_, err = river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
	var defErr *backfills.DefinitionError
	var optErr *backfills.OptionError
	if errors.As(err, &defErr) || errors.As(err, &optErr) {
		return river.JobCancel(fmt.Errorf("%s: %w", jobs.BackfillStartKind, err))
	}
	if err != nil {
		return err
	}
	w.Log.Info("backfill start job: "+res.String(), slog.String("backfill", res.Backfill), slog.Int64("run", res.Run),
		slog.Bool("started", res.Started), slog.Int64("job_id", job.ID))
	return nil
}
