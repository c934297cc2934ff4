package workers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/steadydb/steady/internal/backoff"
	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/indexes"
	"github.com/steadydb/steady/jobs"
)

// IndexBuildJobs inserts jobs.IndexBuildArgs for the index engine (indexes.Jobs). The client
// may be insert-only.
type IndexBuildJobs struct{ *river.Client[pgx.Tx] }

// InsertBuilds inserts one build job per table; they are unique by table.
func (c IndexBuildJobs) InsertBuilds(ctx context.Context, tables []string) ([]*rivertype.JobInsertResult, error) {
	params := make([]river.InsertManyParams, len(tables))
	for i, t := range tables {
		params[i] = river.InsertManyParams{Args: jobs.IndexBuildArgs{Table: t}}
	}
	return c.InsertMany(ctx, params)
}

// IndexBuildConfig configures the index build worker.
type IndexBuildConfig struct {
	// Pool is the POOLER pool. Every statement runs on it alone, outside a transaction.
	Pool    *pgxpool.Pool
	Tables  *bookkeeping.Tables // see indexes.BuilderConfig
	Catalog *indexes.Catalog    // the index catalog (required)
	Logger  *slog.Logger        // default slog.Default()

	// Timeout bounds one attempt: the table's indexes still to build. A build cut short leaves
	// an INVALID index that the next attempt drops and rebuilds. Default 1h.
	Timeout     time.Duration
	RetryBase   time.Duration // delay after the first failed attempt, doubled after each; default 30s
	RetryMax    time.Duration // bound of that delay; default 30m
	BusySnooze  time.Duration // wait when another build runs on the table; default 1m
	LockTimeout time.Duration // see indexes.BuilderConfig

	// ParallelWorkers and Window: see indexes.BuilderConfig. A build outside the window snoozes
	// until it opens (a snooze is not a failed attempt).
	ParallelWorkers int
	Window          *indexes.Window

	// BeforeStep and AfterStep see every statement (tests, metrics): see indexes.BuilderConfig.
	BeforeStep func(context.Context, indexes.Step) error
	AfterStep  func(indexes.Step)
}

// IndexBuild works jobs.IndexBuildArgs: one table's catalog indexes, built by
// indexes.Builder one at a time (see package indexes).
type IndexBuild struct {
	river.WorkerDefaults[jobs.IndexBuildArgs]
	builder *indexes.Builder
	cfg     IndexBuildConfig
}

// NewIndexBuild checks cfg and fills its defaults.
func NewIndexBuild(cfg IndexBuildConfig) (*IndexBuild, error) {
	for name, d := range map[string]time.Duration{"Timeout": cfg.Timeout, "RetryBase": cfg.RetryBase,
		"RetryMax": cfg.RetryMax, "BusySnooze": cfg.BusySnooze} {
		if d < 0 {
			return nil, fmt.Errorf("index build worker: %s must not be negative, got %s", name, d)
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Catalog == nil {
		return nil, errors.New("index build worker: Catalog is required")
	}
	b, err := indexes.NewBuilder(indexes.BuilderConfig{Pool: cfg.Pool, Tables: cfg.Tables, Catalog: cfg.Catalog, Logger: cfg.Logger,
		LockTimeout: cfg.LockTimeout, BeforeStep: cfg.BeforeStep, AfterStep: cfg.AfterStep,
		ParallelWorkers: cfg.ParallelWorkers, Window: cfg.Window})
	if err != nil {
		return nil, err
	}
	cfg.Timeout = cmp.Or(cfg.Timeout, time.Hour)
	cfg.RetryBase = cmp.Or(cfg.RetryBase, 30*time.Second)
	cfg.RetryMax = max(cmp.Or(cfg.RetryMax, 30*time.Minute), cfg.RetryBase)
	cfg.BusySnooze = cmp.Or(cfg.BusySnooze, time.Minute)
	return &IndexBuild{builder: b, cfg: cfg}, nil
}

// Timeout is finite: River never rescues a job whose timeout is -1 after a crash.
func (w *IndexBuild) Timeout(*river.Job[jobs.IndexBuildArgs]) time.Duration { return w.cfg.Timeout }

// NextRetry doubles the delay from RetryBase up to RetryMax, with ±10% jitter so that tables
// that failed together do not retry together.
func (w *IndexBuild) NextRetry(job *river.Job[jobs.IndexBuildArgs]) time.Time {
	return time.Now().Add(backoff.Jitter(backoff.Exponential(w.cfg.RetryBase, w.cfg.RetryMax, job.Attempt), 0.1))
}

func (w *IndexBuild) Work(ctx context.Context, job *river.Job[jobs.IndexBuildArgs]) error {
	log := w.cfg.Logger.With(slog.Int64("job_id", job.ID), slog.Int("attempt", job.Attempt))
	err := w.builder.Build(ctx, job.Args.Table, log)
	var busy *indexes.BusyError
	var window *indexes.WindowError
	switch {
	case errors.As(err, &busy):
		return river.JobSnooze(w.cfg.BusySnooze)
	case errors.As(err, &window) && window.Opens.IsZero():
		return river.JobCancel(err)
	case errors.As(err, &window):
		// Spread over a few seconds: the tables waiting for the window do not start at once.
		return river.JobSnooze(time.Until(window.Opens) + rand.N(5*time.Second))
	case errors.Is(err, indexes.ErrPermanent):
		return river.JobCancel(err)
	}
	return err
}
