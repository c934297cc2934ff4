package workers

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/steadydb/steady/internal/backfill"
	"github.com/steadydb/steady/jobs"
)

// Backfill works one slice of a backfill run for one short attempt, then snoozes to continue:
// attempts stay short so that a crashed worker's job is rescued soon and a stop is quick
// (docs/architecture.md, fact 7). The checkpoint is in steady_backfill_slices, committed with
// each batch.
type Backfill struct {
	river.WorkerDefaults[jobs.BackfillArgs]
	Runner *backfill.Runner
	Log    *slog.Logger
}

// Timeout is finite: a timeout of -1 would never be rescued after a crash.
func (w *Backfill) Timeout(*river.Job[jobs.BackfillArgs]) time.Duration { return w.Runner.JobTimeout() }

func (w *Backfill) Work(ctx context.Context, job *river.Job[jobs.BackfillArgs]) error {
	res, err := w.Runner.Run(ctx, job.Args, job.ID)
	if err != nil {
		if errors.Is(err, backfill.ErrUnknownSlice) {
			// A backfill removed from the catalog: retrying cannot help, and its run ends failed.
			if ferr := w.Runner.Fail(context.WithoutCancel(ctx), job.Args, err); ferr != nil {
				w.Log.Warn("record backfill error", slog.Any("error", ferr))
			}
			return river.JobCancel(err)
		}
		record := w.Runner.Note
		if job.Attempt >= job.MaxAttempts {
			record = w.Runner.Fail
		}
		if rerr := record(context.WithoutCancel(ctx), job.Args, err); rerr != nil {
			w.Log.Warn("record backfill error", slog.Any("error", rerr))
		}
		return err
	}
	switch res.Outcome {
	case backfill.OutcomeContinue, backfill.OutcomeThrottled:
		return river.JobSnooze(res.Snooze)
	case backfill.OutcomeLost:
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
	Store *backfill.Store
	Log   *slog.Logger
}

func (w *BackfillScheduled) Timeout(*river.Job[jobs.BackfillScheduledArgs]) time.Duration {
	return time.Minute
}

func (w *BackfillScheduled) Work(ctx context.Context, job *river.Job[jobs.BackfillScheduledArgs]) error {
	b, ok := jobs.LookupBackfill(job.Args.Backfill)
	if !ok {
		return river.JobCancel(&jobs.UnknownBackfillError{Name: job.Args.Backfill})
	}
	res, err := w.Store.Start(ctx, river.ClientFromContext[pgx.Tx](ctx), b,
		backfill.StartOpts{Slices: b.Slices, Trigger: backfill.TriggerSchedule, Slot: job.Args.Slot})
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
func RegisterBackfills(w *river.Workers, runner *backfill.Runner, store *backfill.Store, log *slog.Logger) {
	river.AddWorker(w, &Backfill{Runner: runner, Log: log})
	river.AddWorker(w, &BackfillScheduled{Store: store, Log: log})
}
