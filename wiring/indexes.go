package wiring

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/indexes"
	"github.com/steadydb/steady/workers"
)

// IndexesConfig configures the index builds.
type IndexesConfig struct {
	// Catalog is the indexes to build (read from files and checked by the caller); default the
	// shipped ones.
	Catalog *indexes.Catalog
	// BuildTimeout bounds one attempt of a table's build; default 1h. A build it cuts short
	// is healed by the next attempt.
	BuildTimeout time.Duration
	// AfterStep, when set, sees every statement a build runs (tests, metrics).
	AfterStep func(indexes.Step)
	// ParallelWorkers and Window: see indexes.BuilderConfig.
	ParallelWorkers int
	Window          *indexes.Window
}

// IndexesModule registers the index build worker and, once River runs (after the migration
// step), enqueues one build per table whose catalog indexes are not all valid. Builds are
// unique by table, so a second worker, or a restart, enqueues nothing new.
var IndexesModule = fx.Module("indexes",
	fx.Provide(
		newIndexBuildWorker,
		fx.Annotate(registerIndexBuildWorker, fx.ResultTags(`group:"river_workers"`)),
	),
	fx.Invoke(enqueueIndexBuildsAtStart),
)

func newIndexBuildWorker(cfg WorkerConfig, pools *dbconn.Pools, tables *bookkeeping.Tables, log *slog.Logger) (*workers.IndexBuild, error) {
	return workers.NewIndexBuild(workers.IndexBuildConfig{
		Pool: pools.Long.Pool, Tables: tables, Catalog: cfg.indexCatalog(), Logger: log, Timeout: cfg.Indexes.BuildTimeout, AfterStep: cfg.Indexes.AfterStep,
		ParallelWorkers: cfg.Indexes.ParallelWorkers, Window: cfg.Indexes.Window,
	})
}

func (cfg WorkerConfig) indexCatalog() *indexes.Catalog {
	if cfg.Indexes.Catalog == nil {
		return catalogfiles.ShippedIndexes()
	}
	return cfg.Indexes.Catalog
}

func registerIndexBuildWorker(w *workers.IndexBuild) WorkerRegistration {
	return func(ws *river.Workers) { river.AddWorker(ws, w) }
}

type enqueueIndexParams struct {
	fx.In

	Lifecycle fx.Lifecycle
	Config    WorkerConfig
	Pools     *dbconn.Pools
	// River's start hook, which runs after the migration step's, is appended before ours.
	Client *river.Client[pgx.Tx]
	River  *RiverState
	Log    *slog.Logger
}

func windowText(w *indexes.Window) string {
	if w == nil {
		return "any time"
	}
	return w.String()
}

func enqueueIndexBuildsAtStart(p enqueueIndexParams) {
	p.Lifecycle.Append(fx.StartHook(func(ctx context.Context) error {
		if !p.River.Running() {
			p.Log.Warn("index builds not enqueued: River is not running")
			return nil
		}
		// A build interrupted by a crash left its table's parallel_workers at steady's value.
		if err := indexes.RestoreParallel(ctx, p.Pools.Pooler.Pool, p.Pools.Schema, p.Log); err != nil {
			p.Log.Warn("index build: parallel_workers of an interrupted build not put back; the next build of the table does it", slog.Any("error", err))
		}
		res, err := indexes.Enqueue(ctx, workers.IndexBuildJobs{Client: p.Client}, p.Pools.Pooler, p.Config.indexCatalog(), indexes.EnqueueOpts{})
		if err != nil {
			if p.Config.Migrate.Strict {
				return err
			}
			p.Log.Error("❌ index builds not enqueued; run steady indexes build", slog.Any("error", err))
			return nil
		}
		counts := map[indexes.EnqueueAction]int{}
		for _, r := range res {
			counts[r.Action]++
		}
		p.Log.Info("index builds run on POOLER: CREATE INDEX CONCURRENTLY, one statement at a time per table",
			slog.String("url", p.Pools.Pooler.URL), slog.String("pool_mode", string(p.Pools.Pooler.Mode)),
			slog.Int("enqueued", counts[indexes.EnqueueInserted]), slog.Int("retried", counts[indexes.EnqueueRetried]),
			slog.Int("already_queued", counts[indexes.EnqueueDuplicate]), slog.Int("up_to_date", counts[indexes.EnqueueUpToDate]),
			slog.Int("no_table", counts[indexes.EnqueueNoTable]), slog.Int("parallel_workers", p.Config.Indexes.ParallelWorkers),
			slog.String("window", windowText(p.Config.Indexes.Window)))
		if w := p.Config.Indexes.Window; w != nil {
			if open, until := w.Open(time.Now()); open {
				p.Log.Info("index build window open", slog.String("window", w.String()), slog.Time("closes", until))
			} else {
				p.Log.Info("index builds wait for their window", slog.String("window", w.String()), slog.Time("opens", w.NextOpen(time.Now())))
			}
		}
		return nil
	}))
}
