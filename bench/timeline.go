package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/catalogfiles"
)

// The timeline runs pgbench throughout, with steady's defaults: pgbench alone, then the
// backfill for a while (paused after 40 s), then the index catalog dropped and built again one
// index at a time, then pgbench alone again. Its per-second latencies and the spans of the
// backfill and of each index build are drawn in docs/bench-timeline.svg.
type timeline struct {
	start    time.Time
	txs      []pgbenchTx
	backfill [2]time.Time
	builds   []buildSpan
}

func benchTimeline(ctx context.Context, cfg *config) ([]row, error) {
	const name = "leads_phone_whatsapp"
	tpl, err := sharedTemplate(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pgbenchInit(ctx, cfg, tpl); err != nil {
		return nil, err
	}
	db, err := createDB(ctx, cfg, tpl)
	if err != nil {
		return nil, err
	}
	defer dropDB(context.WithoutCancel(ctx), cfg, db)
	c, err := pgx.Connect(ctx, withDB(cfg.directURL, db))
	if err != nil {
		return nil, err
	}
	defer c.Close(context.WithoutCancel(ctx))

	tl := &timeline{start: time.Now()}
	stream := startPgbench(ctx, cfg, db)
	fail := func(err error) ([]row, error) {
		stream.finish()
		return nil, err
	}
	sleepCtx(ctx, 15*time.Second)
	w, err := startWorker(ctx, cfg, db)
	if err != nil {
		return fail(err)
	}
	defer w.stop()
	tl.backfill[0] = time.Now()
	if _, err := steadyCmd(ctx, cfg, db, "backfill", "enqueue", name); err != nil {
		return fail(err)
	}
	sleepCtx(ctx, 40*time.Second)
	if _, err := steadyCmd(ctx, cfg, db, "backfill", "pause", name); err != nil {
		return fail(err)
	}
	tl.backfill[1] = time.Now()
	sleepCtx(ctx, 10*time.Second)
	for _, ix := range catalogfiles.ShippedIndexes().All() {
		if _, err := c.Exec(ctx, "DROP INDEX IF EXISTS "+pgx.Identifier{ix.Name}.Sanitize()); err != nil {
			return fail(err)
		}
	}
	buildsStart := time.Now()
	if _, err := steadyCmd(ctx, cfg, db, "indexes", "build"); err != nil {
		return fail(err)
	}
	if err := waitFor(ctx, time.Hour, "index builds", func() (bool, error) { return catalogValid(ctx, c) }); err != nil {
		return fail(err)
	}
	buildsEnd := time.Now()
	sleepCtx(ctx, 10*time.Second)
	txs, err := stream.finish()
	if err != nil {
		return nil, err
	}
	tl.txs, tl.builds = txs, w.indexBuilds()
	cfg.timeline = tl

	alone, _ := between(txs, tl.start, tl.backfill[0])
	bf, bfFailed := between(txs, tl.backfill[0].Add(5*time.Second), tl.backfill[1])
	ib, ibFailed := between(txs, buildsStart, buildsEnd)
	log.Printf("timeline: p99 alone %s, during the backfill %s, during the index builds %s (%d builds, %.0f s)",
		ms(percentile(alone, 0.99)), ms(percentile(bf, 0.99)), ms(percentile(ib, 0.99)), len(tl.builds), buildsEnd.Sub(buildsStart).Seconds())
	return []row{
		{"timeline", fmt.Sprintf("one pgbench run with steady's defaults: p99 during the backfill (%d failed) vs alone before it", bfFailed),
			ms(percentile(bf, 0.99)), ms(percentile(alone, 0.99)), ratio(percentile(bf, 0.99), percentile(alone, 0.99)), "≤ 1.5×"},
		{"timeline", fmt.Sprintf("… p99 during the index builds (%d builds, %.0f s, %d failed) vs alone", len(tl.builds), buildsEnd.Sub(buildsStart).Seconds(), ibFailed),
			ms(percentile(ib, 0.99)), ms(percentile(alone, 0.99)), ratio(percentile(ib, 0.99), percentile(alone, 0.99)), "≤ 2×"},
	}, nil
}
