package main

import (
	"context"
	"fmt"
	"io/fs"
	"log"
	"time"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/internal/shadow"
)

// benchShadowAdopt measures an adoption judged on a shadow database, as steady adopts a
// database whose history nothing records: every object present, no history table; the shadow
// is created through the POOLER (the only URL given), the history replayed on it once, then
// the same database adopted again after its history is deleted, when the states steady kept
// spare the replay. Through the latency proxy, so each replayed file pays its round trips.
func benchShadowAdopt(ctx context.Context, cfg *config, addr, name string, src fs.FS) ([]row, error) {
	n, _ := fs.Glob(src, "*.sql")
	var first, replays, again []time.Duration
	for range max(3, cfg.runs/2) {
		db, err := createDB(ctx, cfg, "")
		if err != nil {
			return nil, err
		}
		if err := runSQLFiles(ctx, cfg, db, src); err != nil {
			dropDB(ctx, cfg, db)
			return nil, err
		}
		url := withHostPort(withDB(cfg.poolerURL, db), addr)
		start := time.Now()
		res, err := steadyMigrateShadow(ctx, url, src)
		took := time.Since(start)
		if err == nil {
			if replay, cached, ok := res.Plan.ShadowReplay(); !ok || cached || res.Reconciled != len(n) {
				err = fmt.Errorf("shadow adoption of %s: judge %s (%s), %s", name, res.Plan.Judge, res.Plan.JudgeWhy, res.Summary())
			} else {
				first, replays = append(first, took), append(replays, replay)
			}
		}
		if err == nil {
			// The history deleted: the next adoption infers again, from the kept states.
			if err = execOn(ctx, cfg, db, "TRUNCATE schema_migrations"); err == nil {
				start = time.Now()
				res, err = steadyMigrateShadow(ctx, url, src)
				again = append(again, time.Since(start))
				if _, cached, ok := res.Plan.ShadowReplay(); err == nil && (!ok || !cached) {
					err = fmt.Errorf("second shadow adoption of %s replayed again", name)
				}
			}
		}
		dropDB(ctx, cfg, db)
		if err != nil {
			return nil, err
		}
	}
	log.Printf("adopt %s on a shadow (%d): %s, replay %s, again %s", name, len(n), ms(median(first)), ms(median(replays)), ms(median(again)))
	return []row{
		{scenario: "adopt", measure: fmt.Sprintf("every object present, no history, %s migrations (%d), judged on a shadow database: time (%s RTT)", name, len(n), 2*cfg.latency), steady: ms(median(first))},
		{scenario: "adopt", measure: fmt.Sprintf("… of which the shadow's replay (%d files, each with its state read)", len(n)), steady: ms(median(replays))},
		ratioRow("adopt", fmt.Sprintf("… again after the history is deleted: states kept, no replay (%d)", len(n)), ms(median(again)), ms(median(first)),
			durationRatios(again, first), "runs", nil, true),
	}, nil
}

// steadyMigrateShadow is steadyMigrate with the shadow steady uses by default.
func steadyMigrateShadow(ctx context.Context, poolerURL string, src fs.FS) (*migrate.Result, error) {
	pools, err := dbconn.Open(ctx, dbconn.Config{PoolerURL: poolerURL, Logger: quiet}, dbconn.OpenOpts{Migrate: true})
	if err != nil {
		return nil, err
	}
	defer pools.Close()
	m, err := migrate.New(migrate.Config{Pool: pools.Migration.Pool, TransactionPooled: true, Migrations: src, Logger: quiet,
		Shadow: migrate.ShadowConfig{Open: shadow.Settings{}.Opener(pools, quiet)}})
	if err != nil {
		return nil, err
	}
	return m.Migrate(ctx, migrate.Opts{})
}
