package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/catalogfiles"
)

// The timeline runs pgbench throughout, with steady's defaults: pgbench alone, then the
// backfill for a while (paused after 40 s), then the index catalog dropped and built again one
// index at a time, then pgbench alone again; once under each load. Its per-second latencies
// and the spans of the backfill and of each index build are drawn in docs/bench-timeline.svg
// (open loop) and docs/bench-timeline-saturation.svg.
type timeline struct {
	load     pgbenchLoad
	start    time.Time
	txs      []pgbenchTx
	backfill [2]time.Time
	builds   []buildSpan
}

func benchTimeline(ctx context.Context, cfg *config) ([]row, error) {
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
	ls, err := loads(ctx, cfg, db)
	if err != nil {
		return nil, err
	}
	cfg.timelines = nil
	var rows []row
	for i, load := range ls {
		tl, rs, err := runTimeline(ctx, cfg, db, load, i == 0)
		if err != nil {
			return nil, err
		}
		cfg.timelines = append(cfg.timelines, tl)
		rows = append(rows, rs...)
	}
	return rows, nil
}

// runTimeline is one timeline under load; the backfill starts when first, else resumes.
func runTimeline(ctx context.Context, cfg *config, db string, load pgbenchLoad, first bool) (*timeline, []row, error) {
	const name = "leads_phone_whatsapp"
	c, err := pgx.Connect(ctx, withDB(cfg.directURL, db))
	if err != nil {
		return nil, nil, err
	}
	defer c.Close(context.WithoutCancel(ctx))

	tl := &timeline{load: load, start: time.Now()}
	stream := startPgbench(ctx, cfg, db, load)
	fail := func(err error) (*timeline, []row, error) {
		stream.finish()
		return nil, nil, err
	}
	sleepCtx(ctx, 15*time.Second)
	aloneUntil := time.Now() // the worker's own start is not the application alone
	w, err := startWorker(ctx, cfg, db)
	if err != nil {
		return fail(err)
	}
	defer w.stop()
	tl.backfill[0] = time.Now()
	sub := "resume"
	if first {
		sub = "enqueue"
	}
	if _, err := steadyCmd(ctx, cfg, db, "backfill", sub, name); err != nil {
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
		return nil, nil, err
	}
	tl.txs, tl.builds = txs, w.indexBuilds()

	alone, _ := between(txs, tl.start.Add(pgbenchWarmup), aloneUntil)
	var bf, ib appEffect
	during, failed := between(txs, tl.backfill[0].Add(5*time.Second), tl.backfill[1])
	aloneSeconds := aloneUntil.Sub(tl.start.Add(pgbenchWarmup)).Seconds()
	bf.add(alone, during, failed, aloneSeconds)
	during, failed = between(txs, buildsStart, buildsEnd)
	ib.add(alone, during, failed, aloneSeconds)
	open := load.open()
	rows := appRows("timeline", load, fmt.Sprintf("in one run with steady's defaults: during the backfill, vs alone before it (pgbench's first %.0f s and the worker's start left out)", pgbenchWarmup.Seconds()), "run", bf, when(open, atMost(backfillP99Target, "0 failed")))
	rows = append(rows, appRows("timeline", load, fmt.Sprintf("… during the index builds (%d builds, %.0f s), vs alone before the backfill", len(tl.builds), buildsEnd.Sub(buildsStart).Seconds()),
		"run", ib, when(open, atMost(indexP99Target, "0 failed")))...)
	return tl, rows, nil
}
