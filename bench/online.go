package main

import (
	"context"
	"fmt"
	"log"
	"os/exec"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/catalogfiles"
)

// withIndexes builds the index catalog on db with a real worker, as production would have.
func withIndexes(ctx context.Context, cfg *config, db string) error {
	w, err := startWorker(ctx, cfg, db)
	if err != nil {
		return err
	}
	defer w.stop()
	_, err = steadyCmd(ctx, cfg, db, "indexes", "build", "--wait")
	return err
}

func pgbenchBin() string {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	return "/usr/lib/postgresql/15/bin/pgbench"
}

func benchOnline(ctx context.Context, cfg *config) ([]row, error) {
	const name = "leads_phone_whatsapp"
	tpl, err := sharedTemplate(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pgbenchInit(ctx, cfg, tpl); err != nil {
		return nil, err
	}
	if cfg.singleRate == 0 {
		b, _ := catalogfiles.ShippedBackfills().Lookup(name)
		if cfg.singleRate, err = singleUpdateRate(ctx, cfg, tpl, b); err != nil {
			return nil, err
		}
	}
	// One copy for the backfill under both loads (the second resumes where the first paused),
	// and for the index builds (each drops and builds the catalog again); the single UPDATE
	// changes its rows once, so each load gets a copy of its own.
	db, err := createDB(ctx, cfg, tpl)
	if err != nil {
		return nil, err
	}
	defer dropDB(context.WithoutCancel(ctx), cfg, db)
	ls, err := loads(ctx, cfg, db)
	if err != nil {
		return nil, err
	}
	w, err := startWorker(ctx, cfg, db)
	if err != nil {
		return nil, err
	}
	bfs := map[string]backfillMeasure{}
	for i, load := range ls {
		m, err := measureBackfill(ctx, cfg, w, db, name, load, i == 0)
		if err != nil {
			w.stop()
			return nil, err
		}
		bfs[load.short] = m
	}
	w.stop()
	singles := map[string]singleMeasure{}
	for _, load := range ls {
		sdb, err := createDB(ctx, cfg, tpl)
		if err != nil {
			return nil, err
		}
		su, err := singleUnderLoad(ctx, cfg, sdb, load)
		dropDB(ctx, cfg, sdb)
		if err != nil {
			return nil, err
		}
		singles[load.short] = su
		cfg.loadedSingle[load.short] = &loadedSingle{rateRatio: su.rate / cfg.singleRate, p99Ratio: su.app.p99s.median()}
	}
	// The index catalog built from scratch at steady's defaults, the loads alternated: each
	// build takes a minute or more, over which the shared machine drifts.
	builds := map[string]*indexMeasure{}
	for range onlineIndexReps {
		for _, load := range ls {
			bm := builds[load.short]
			if bm == nil {
				bm = &indexMeasure{}
				builds[load.short] = bm
			}
			if err := onlineIndexBuilds(ctx, cfg, db, load, indexAlternatives[0], bm); err != nil {
				return nil, err
			}
		}
	}

	var rows []row
	for _, load := range ls {
		open := load.open()
		var all appEffect
		bf, su, ib := bfs[load.short], singles[load.short], builds[load.short]
		for _, e := range []appEffect{bf.app, su.app, ib.app} {
			all.alone = append(all.alone, e.alone...)
		}
		rows = append(rows, row{scenario: "online", measure: fmt.Sprintf("%s: pgbench p50 / p99 alone (all baselines, %d tx)", load.name, len(all.alone)),
			steady: ms(percentile(all.alone, 0.5)) + " / " + ms(percentile(all.alone, 0.99))})
		rows = append(rows, appRows("online", load, fmt.Sprintf("during a steady backfill (defaults; alone and during in alternate %s windows)", measureWindow),
			"windows", bf.app, when(open, atMost(backfillP99Target, "0 failed")))...)
		rows = append(rows, ratioRow("online", fmt.Sprintf("%s: … backfill throughput meanwhile (batches running %.0f%% of the time) vs the single UPDATE on an idle database", load.short, 100*bf.duty),
			fmt.Sprintf("%.0f rows/s", bf.rate), fmt.Sprintf("%.0f rows/s", cfg.singleRate), bf.tputs(cfg.singleRate), "windows", when(open, atLeast(backfillTputTarget)), true))
		rows = append(rows, row{scenario: "online", measure: fmt.Sprintf("%s: … backfill throughput meanwhile vs the single UPDATE of the first %d rows under the same load", load.short, su.rows),
			steady: fmt.Sprintf("%.0f rows/s", bf.rate), baseline: fmt.Sprintf("%.0f rows/s", su.rate), ratio: fmt.Sprintf("%.2f× (1 run)", bf.rate/su.rate)})
		rows = append(rows, appRows("online", load, fmt.Sprintf("during the single UPDATE of %d rows (the alternative)", su.rows), "run", su.app, nil)...)
		rows = append(rows, row{scenario: "online", measure: fmt.Sprintf("%s: … the single UPDATE's own rows/s meanwhile vs on an idle database", load.short),
			steady: fmt.Sprintf("%.0f rows/s", su.rate), baseline: fmt.Sprintf("%.0f rows/s", cfg.singleRate), ratio: fmt.Sprintf("%.2f× (1 run)", su.rate/cfg.singleRate)})
		rows = append(rows, appRows("online", load, "during the index builds (defaults: each table's parallel_workers = 0 for its build)", "runs", ib.app, when(open, atMost(indexP99Target, "0 failed")))...)
		rows = append(rows, row{scenario: "online", measure: fmt.Sprintf("%s: … time to build the index catalog meanwhile", load.short),
			steady: secondsList(ib.took)})
	}
	return rows, nil
}

// onlineIndexReps: the index catalog's builds under each load, alternated.
var onlineIndexReps = 2

// when is t where the load is the one the targets are judged at.
func when(open bool, t *target) *target {
	if open {
		return t
	}
	return nil
}

func secondsList(ds []time.Duration) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprintf("%.1f s", d.Seconds()))
	}
	return strings.Join(parts, ", ")
}

// indexAlternatives are the ways to run the index builds that the bench compares; the first is
// steady's default.
var indexAlternatives = []indexAlternative{
	{"default: each table's parallel_workers = 0 for its build", "", nil},
	{"tables left alone (server default max_parallel_maintenance_workers = 2; steady's previous default)", "", []string{"STEADY_INDEX_PARALLEL_WORKERS=-1"}},
	{"tables left alone, database max_parallel_maintenance_workers = 0 (the previous advice)", "max_parallel_maintenance_workers = 0", []string{"STEADY_INDEX_PARALLEL_WORKERS=-1"}},
}

type indexAlternative struct {
	name  string
	setup string   // ALTER DATABASE … SET, before anything connects
	env   []string // the worker's
}

// singleUnderLoadRows is how much of the table the single UPDATE under load changes: enough
// for a minute's work, not the whole table.
const singleUnderLoadRows = 1_000_000

type singleMeasure struct {
	rows int64
	rate float64 // rows/s
	app  appEffect
}

// singleUnderLoad measures pgbench alone, then runs the backfill's UPDATE over the first
// singleUnderLoadRows keys in one statement through PgBouncer while pgbench goes on.
func singleUnderLoad(ctx context.Context, cfg *config, db string, load pgbenchLoad) (singleMeasure, error) {
	var m singleMeasure
	b, _ := catalogfiles.ShippedBackfills().Lookup("leads_phone_whatsapp")
	conn, err := pgx.Connect(ctx, withDB(cfg.poolerURL, db)+"&default_query_exec_mode=exec")
	if err != nil {
		return m, err
	}
	defer conn.Close(ctx)
	stream := startPgbench(ctx, cfg, db, load)
	sleepCtx(ctx, pgbenchWarmup)
	from := time.Now()
	sleepCtx(ctx, 2*measureWindow)
	t0 := time.Now()
	tag, err := conn.Exec(ctx, b.Update, int64(0), int64(singleUnderLoadRows))
	t1 := time.Now()
	txs, serr := stream.finish()
	if err = cmpErr(err, serr); err != nil {
		return m, err
	}
	m.rows = tag.RowsAffected()
	m.rate = float64(m.rows) / t1.Sub(t0).Seconds()
	alone, _ := between(txs, from, t0)
	during, failed := between(txs, t0, t1)
	m.app.add(alone, during, failed, t0.Sub(from).Seconds())
	log.Printf("single UPDATE under pgbench (%s): %d rows, %.0f rows/s", load.short, m.rows, m.rate)
	return m, nil
}

// indexMeasure is the index catalog built from scratch, one or more times.
type indexMeasure struct {
	app  appEffect
	took []time.Duration
}

// onlineIndexBuilds drops the index catalog's indexes, applies the alternative's database
// setting (if any), measures pgbench alone, then starts a worker (which enqueues the builds)
// and measures pgbench until every catalog index is valid again.
// indexBaseline is how long pgbench runs alone before each alternation of the index builds.
const indexBaseline = 15 * time.Second

func onlineIndexBuilds(ctx context.Context, cfg *config, db string, load pgbenchLoad, alt indexAlternative, into *indexMeasure) error {
	c, err := pgx.Connect(ctx, withDB(cfg.directURL, db))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	for _, ix := range catalogfiles.ShippedIndexes().All() {
		if _, err = c.Exec(ctx, "DROP INDEX IF EXISTS "+pgx.Identifier{ix.Name}.Sanitize()); err != nil {
			return err
		}
	}
	setting := "RESET max_parallel_maintenance_workers"
	if alt.setup != "" {
		setting = "SET " + alt.setup
	}
	if _, err = c.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{db}.Sanitize()+" "+setting); err != nil {
		return err
	}
	// The builds before this one leave dirty pages: written now, not during this measurement
	// (see createDB).
	if _, err = c.Exec(ctx, "CHECKPOINT"); err != nil {
		return err
	}
	base, err := pgbenchFor(ctx, cfg, db, load, indexBaseline)
	if err != nil {
		return err
	}
	stream := startPgbench(ctx, cfg, db, load)
	sleepCtx(ctx, pgbenchWarmup)
	start := time.Now()
	w, err := startWorker(ctx, cfg, db, alt.env...)
	if err != nil {
		stream.finish()
		return err
	}
	err = waitFor(ctx, time.Hour, "index builds", func() (bool, error) { return catalogValid(ctx, c) })
	end := time.Now()
	w.stop()
	txs, serr := stream.finish()
	if err = cmpErr(err, serr); err != nil {
		return err
	}
	during, failed := between(txs, start, end)
	into.app.add(base, during, failed, indexBaseline.Seconds())
	into.took = append(into.took, end.Sub(start))
	log.Printf("index builds (%s, %s): %.0f s", alt.name, load.short, end.Sub(start).Seconds())
	return nil
}

// catalogValid reports whether every index of the catalog is in place and valid.
func catalogValid(ctx context.Context, c *pgx.Conn) (bool, error) {
	var names []string
	for _, ix := range catalogfiles.ShippedIndexes().All() {
		names = append(names, ix.Name)
	}
	var n int
	err := c.QueryRow(ctx, `SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE c.relname = ANY($1) AND i.indisvalid AND i.indisready`, names).Scan(&n)
	return n == len(names), err
}
