package workers

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
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
// (docs/architecture.md, fact 7). The checkpoint is in steady_backfill_slices, committed with
// each batch.
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
		if errors.Is(err, backfills.ErrUnknownSlice) {
			// A backfill removed from the catalog: retrying cannot help, and its run ends failed.
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

// RegisterBackfills adds the backfill workers to River's registry.
func RegisterBackfills(w *river.Workers, runner *backfills.Runner, store *backfills.Store, log *slog.Logger) {
	river.AddWorker(w, &Backfill{Runner: runner, Log: log})
	river.AddWorker(w, &BackfillScheduled{Store: store, Log: log})
}
