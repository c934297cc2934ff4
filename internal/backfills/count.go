package backfills

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Counting the remaining work runs the catalog's Pending query over the slice: a scan as costly
// as the backfill's reads (5M leads: over a minute on a loaded 2-core machine). So it is done only
// where it is cheap, and never in the batches' way:
//   - once, in the background, during a slice's first attempt, while batches run;
//   - only when the planner's estimate of the slice's rows is at most countMaxRows;
//   - bounded by Config.CountTimeout.
//
// Otherwise rows_remaining stays NULL and Status extrapolates it from the key range behind the
// checkpoint (rows changed so far × keys left / keys done).
const countMaxRows = 1_000_000

// countFirst starts the count when this is the slice's first attempt and returns a function that
// stops it and waits for it.
func (r *Runner) countFirst(ctx context.Context, b Backfill, sl *slice, log *slog.Logger) func() {
	if sl.batches > 0 || sl.cursor != sl.from {
		return func() {}
	}
	if b.Pending == "" {
		log.Info("backfill slice not counted (its file has no SELECT of the keys left); remaining rows are estimated from progress")
		return func() {}
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.CountTimeout)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer cancel()
		r.count(ctx, b, sl.args, sl.from, sl.to, log)
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

func (r *Runner) count(ctx context.Context, b Backfill, args SliceJob, from, to int64, log *slog.Logger) {
	var estimate float64
	err := r.pool.QueryRow(ctx, `SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = to_regclass($1)`, b.KeyRelation()).Scan(&estimate)
	if err != nil {
		return
	}
	var span float64
	err = r.pool.QueryRow(ctx, `SELECT (max(`+pgx.Identifier{b.Key}.Sanitize()+`)::numeric - min(`+pgx.Identifier{b.Key}.Sanitize()+`))::float8 + 1
		FROM `+pgx.Identifier{b.KeyRelation()}.Sanitize()).Scan(&span)
	if err == nil && span > 0 && estimate*min(float64(to-from)/span, 1) > countMaxRows {
		log.Info("backfill slice too large to count; remaining rows are estimated from progress", slog.Float64("estimated_rows", estimate))
		return
	}
	start := time.Now()
	var n, doneAtSnapshot int64
	// One snapshot for both reads: rows changed after it are subtracted as they are done.
	err = pgx.BeginTxFunc(ctx, r.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true)`,
			ms(r.cfg.CountTimeout), ms(r.cfg.LockTimeout)); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, r.schema.SQL(`SELECT rows_done FROM steady_backfill_slices WHERE run_id = $1 AND slice = $2`),
			args.Run, args.Slice).Scan(&doneAtSnapshot); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM (`+b.Pending+`) AS pending`, from, to).Scan(&n)
	})
	if err == nil {
		_, err = r.pool.Exec(ctx, r.schema.SQL(`UPDATE steady_backfill_slices SET rows_remaining = greatest($3 - (rows_done - $4), 0)
			WHERE run_id = $1 AND slice = $2 AND state IN ('pending', 'running') AND rows_remaining IS NULL`),
			args.Run, args.Slice, n, doneAtSnapshot)
	}
	if err != nil {
		log.Info("backfill slice not counted; remaining rows are estimated from progress", slog.Any("reason", err))
		return
	}
	log.Info("backfill slice counted", slog.Int64("rows", n), slog.Duration("took", time.Since(start)))
}
