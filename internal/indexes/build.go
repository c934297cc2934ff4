package indexes

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalog"
)

// BuilderConfig configures a Builder.
type BuilderConfig struct {
	// Pool is the POOLER pool. Every statement runs on it alone, outside a transaction.
	Pool        *pgxpool.Pool
	Tables      *bookkeeping.Tables // steady_index_reloptions; default: the public schema through Pool
	Catalog     *Catalog            // the indexes to build (required)
	Logger      *slog.Logger        // default slog.Default()
	LockTimeout time.Duration       // lock_timeout of the rename and of the parallel_workers changes; default 5s

	// ParallelWorkers is the table's parallel_workers storage parameter while its indexes are
	// built (parallel.go): 0, the default, builds each index with one process; <0 leaves the
	// table alone (PostgreSQL then uses up to max_parallel_maintenance_workers).
	ParallelWorkers int
	// Window, when set, is when builds may start: a CREATE outside it waits for it (a
	// *WindowError). A build that started inside it runs to its end.
	Window *Window

	// BeforeStep, when set, is called before each statement; an error fails the step as the
	// statement would. AfterStep is called after it. For tests and metrics.
	BeforeStep func(context.Context, Step) error
	AfterStep  func(Step)
}

// Action is one kind of statement a build runs.
type Action string

const (
	Create            Action = "create"             // CREATE INDEX CONCURRENTLY name
	Drop              Action = "drop"               // DROP INDEX CONCURRENTLY IF EXISTS name
	CreateReplacement Action = "create_replacement" // CREATE INDEX CONCURRENTLY name_steady_new
	DropReplacement   Action = "drop_replacement"   // DROP INDEX CONCURRENTLY IF EXISTS name_steady_new
	Rename            Action = "rename"             // ALTER INDEX name_steady_new RENAME TO name
)

// Step is one statement of a build.
type Step struct {
	Table, Index string
	Action       Action
	Reason       string
	SQL          string
	Start, End   time.Time // set for AfterStep
	Err          error     // set for AfterStep
}

// Builder builds tables' catalog indexes.
type Builder struct {
	cfg BuilderConfig
}

// NewBuilder checks cfg and fills its defaults.
func NewBuilder(cfg BuilderConfig) (*Builder, error) {
	if cfg.Pool == nil {
		return nil, errors.New("index builder: no pool (want POOLER)")
	}
	if cfg.Catalog == nil {
		return nil, errors.New("index builder: no catalog")
	}
	if cfg.LockTimeout < 0 {
		return nil, fmt.Errorf("index builder: LockTimeout must not be negative, got %s", cfg.LockTimeout)
	}
	if cfg.ParallelWorkers > 1024 {
		return nil, fmt.Errorf("index builder: ParallelWorkers %d: want at most 1024 (PostgreSQL's bound), or <0 to leave tables alone", cfg.ParallelWorkers)
	}
	if cfg.Tables == nil {
		t, err := bookkeeping.New(bookkeeping.Config{Pool: cfg.Pool, Logger: cfg.Logger})
		if err != nil {
			return nil, fmt.Errorf("index builder: %w", err)
		}
		cfg.Tables = t
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.LockTimeout = cmp.Or(cfg.LockTimeout, 5*time.Second)
	return &Builder{cfg: cfg}, nil
}

// Build builds table's indexes one after the other, each from whatever state the last attempt
// left. Errors: a [*BusyError] (another build runs on the table: wait), one that wraps
// [ErrPermanent] (retrying will not help), or any other (retry with backoff). log carries the
// caller's context (job id, attempt); Build logs each statement and explains each failure.
func (b *Builder) Build(ctx context.Context, table string, log *slog.Logger) error {
	ixs, ok := b.cfg.Catalog.OnTable(table)
	if !ok {
		return fmt.Errorf("index build: table %q is not in the index catalog: %w", table, ErrPermanent)
	}
	log = cmp.Or(log, b.cfg.Logger).With(slog.String("table", table))
	start := time.Now()
	limited := false // parallel_workers set for this build: put it back at the end
	defer func() {
		if !limited {
			return
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if _, to, err := restoreParallel(rctx, b.cfg.Pool, b.cfg.Tables.Schema(), b.cfg.LockTimeout, table); err != nil {
			log.Warn("index build: parallel_workers not put back; the next build of the table or the next worker start does it", slog.Any("error", err))
		} else {
			log.Info("index build: parallel workers put back", slog.String("parallel_workers", valueOrUnset(to)))
		}
	}()
	for _, ix := range ixs {
		if err := b.buildIndex(ctx, log, ix, &limited); err != nil {
			return b.explain(ctx, log, ix, err)
		}
	}
	log.Info("index build: table done", slog.Int("indexes", len(ixs)), slog.Duration("duration", time.Since(start)))
	return nil
}

// maxSteps bounds one index's statements in an attempt. The longest path takes four: drop a
// broken replacement, build it again, drop the old index, rename the replacement.
const maxSteps = 6

func (b *Builder) buildIndex(ctx context.Context, log *slog.Logger, ix Index, limited *bool) error {
	var done []Action
	for range maxSteps {
		st, err := b.readState(ctx, ix)
		if err != nil {
			return err
		}
		step, err := plan(ix, st, done)
		if err != nil || step.Action == "" {
			return err
		}
		if step.Action == Create || step.Action == CreateReplacement {
			if open, _ := b.cfg.Window.Open(time.Now()); !open {
				return &WindowError{Window: b.cfg.Window, Opens: b.cfg.Window.NextOpen(time.Now())}
			}
			if b.cfg.ParallelWorkers >= 0 && !*limited {
				if err := b.limitParallel(ctx, log, ix.Table); err != nil {
					return err
				}
				*limited = true
			}
		}
		if err := b.run(ctx, log, step); err != nil {
			return err
		}
		done = append(done, step.Action)
	}
	return permanent(fmt.Errorf("index %s: still not in place after %d statements", ix.Name, maxSteps))
}

// readState classifies ix as the catalog and the running builds show it now. Our own
// statements have returned: a build still running on the table is someone else's, or a
// killed attempt's whose server backend has not noticed yet.
func (b *Builder) readState(ctx context.Context, ix Index) (classified, error) {
	snap, err := catalog.Read(ctx, b.cfg.Pool)
	if err != nil {
		return classified{}, err
	}
	progress, err := ReadProgress(ctx, b.cfg.Pool)
	if err != nil {
		return classified{}, err
	}
	return ix.classify(func(name string) (catalog.Index, bool) { return snap.Index(Schema, name) }, progress), nil
}

// plan decides the next statement for ix, or none (Action "") when it is in place, from its
// classification (classify). done lists the statements this attempt already ran for it.
//
//	building (a build of it or its replacement runs) → wait for that build
//	replacement INVALID or not the catalog's → drop it
//	replacement valid → drop the old index if any, then rename the replacement
//	missing → create
//	the name taken by another table's index → stop
//	INVALID or not ready → drop, then create
//	valid, the catalog's definition → done
//	valid, another definition → create the replacement concurrently, then as above
//
// A statement waits while another build runs on the table: two builds on one table serialize
// on its lock and would hold a worker each. An index in place needs none, and is done.
func plan(ix Index, st classified, done []Action) (Step, error) {
	if st.State == Building {
		return Step{}, &BusyError{Progress: *st.building}
	}
	step, err := nextStep(ix, st, done)
	if err == nil && step.Action != "" && st.tableBusy != nil {
		return Step{}, &BusyError{Progress: *st.tableBusy}
	}
	return step, err
}

func nextStep(ix Index, st classified, done []Action) (Step, error) {
	if st.hasReplacement {
		r := st.replacement
		if !r.Valid || !r.Ready {
			return dropStep(ix, DropReplacement, "INVALID replacement left by a failed build"), nil
		}
		same, err := ix.Def.Same(r.Definition)
		if err != nil {
			return Step{}, permanent(err)
		}
		if !same {
			if slices.Contains(done, CreateReplacement) {
				return Step{}, permanent(roundTripError(ix, r.Definition))
			}
			return dropStep(ix, DropReplacement, "replacement is not the catalog's definition"), nil
		}
		if st.hasIndex {
			return dropStep(ix, Drop, "replaced by "+ix.Replacement()), nil
		}
		return Step{Table: ix.Table, Index: ix.Name, Action: Rename, Reason: "replacement is built",
			SQL: "ALTER INDEX " + pgx.Identifier{Schema, ix.Replacement()}.Sanitize() +
				" RENAME TO " + pgx.Identifier{ix.Name}.Sanitize()}, nil
	}
	m := st.index
	switch {
	case st.State == Missing:
		return Step{Table: ix.Table, Index: ix.Name, Action: Create, Reason: "missing",
			SQL: ix.Def.CreateConcurrently(Schema, ix.Name)}, nil
	case st.State == Valid:
		return Step{}, nil
	case m.Table != ix.Table:
		return Step{}, permanent(fmt.Errorf("index name %s is taken by an index on table %s: rename that index or the catalog entry", ix.Name, m.Table))
	case st.State == Invalid:
		return dropStep(ix, Drop, "INVALID: left by a failed or cancelled concurrent build"), nil
	case st.sameErr != nil:
		return Step{}, permanent(st.sameErr)
	case slices.Contains(done, Create) || slices.Contains(done, Rename):
		return Step{}, permanent(roundTripError(ix, m.Definition))
	}
	return Step{Table: ix.Table, Index: ix.Replacement(), Action: CreateReplacement,
		Reason: "in place as " + m.Definition + "; want " + ix.SQL,
		SQL:    ix.Def.CreateConcurrently(Schema, ix.Replacement())}, nil
}

func dropStep(ix Index, action Action, reason string) Step {
	name := ix.Name
	if action == DropReplacement {
		name = ix.Replacement()
	}
	return Step{Table: ix.Table, Index: name, Action: action, Reason: reason,
		SQL: "DROP INDEX CONCURRENTLY IF EXISTS " + pgx.Identifier{Schema, name}.Sanitize()}
}

// roundTripError reports a catalog entry that its own build does not satisfy: the comparison
// would replace the index forever, so the build stops instead.
func roundTripError(ix Index, got string) error {
	return fmt.Errorf("index %s was built from the catalog but reads back as %q, which does not compare equal to %q: fix the entry (or indexdef's normalisation)", ix.Name, got, ix.SQL)
}

func (b *Builder) run(ctx context.Context, log *slog.Logger, step Step) error {
	if b.cfg.BeforeStep != nil {
		if err := b.cfg.BeforeStep(ctx, step); err != nil {
			return &stepError{step: step, err: err}
		}
	}
	step.Start = time.Now()
	var err error
	if step.Action == Rename {
		err = b.rename(ctx, step.SQL)
	} else {
		// Alone, outside a transaction, without arguments, as one simple-protocol Query message:
		// the only way CONCURRENTLY runs through a transaction pooler
		// (docs/architecture.md, "CREATE INDEX CONCURRENTLY through a pooler").
		_, err = b.cfg.Pool.Exec(ctx, step.SQL, pgx.QueryExecModeSimpleProtocol)
	}
	step.End, step.Err = time.Now(), err
	if b.cfg.AfterStep != nil {
		b.cfg.AfterStep(step)
	}
	if err != nil {
		return &stepError{step: step, err: err}
	}
	log.Info("index build: "+string(step.Action), slog.String("index", step.Index),
		slog.String("reason", step.Reason), slog.Duration("duration", step.End.Sub(step.Start)))
	return nil
}

// rename runs in a transaction of its own so that SET LOCAL bounds its lock wait: per-
// transaction settings are the ones that pass a transaction pooler.
func (b *Builder) rename(ctx context.Context, sql string) error {
	return pgx.BeginFunc(ctx, b.cfg.Pool, func(tx pgx.Tx) error {
		setTimeout := fmt.Sprintf("SET LOCAL lock_timeout = %d", b.cfg.LockTimeout.Milliseconds())
		if _, err := tx.Exec(ctx, setTimeout, pgx.QueryExecModeSimpleProtocol); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol)
		return err
	})
}
