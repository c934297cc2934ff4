package main

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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

// pgbenchRun runs pgbench's TPC-B-like read/write script through PgBouncer for d and returns
// per-transaction latencies and failed transactions.
func pgbenchRun(ctx context.Context, cfg *config, db string, d time.Duration) ([]time.Duration, int, error) {
	dir, err := os.MkdirTemp("", "pgbench")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(dir)
	u, _ := pgx.ParseConfig(cfg.poolerURL)
	cmd := exec.CommandContext(ctx, pgbenchBin(), "-h", u.Host, "-p", strconv.Itoa(int(u.Port)), "-U", u.User,
		"-c", "4", "-j", "2", "-T", strconv.Itoa(int(d.Seconds())), "--protocol=simple", "-n",
		"-l", "--log-prefix="+filepath.Join(dir, "pgb"), db)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+u.Password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, 0, fmt.Errorf("pgbench: %w\n%s", err, out)
	}
	failed := 0
	if m := regexp.MustCompile(`number of failed transactions: (\d+)`).FindSubmatch(out); m != nil {
		failed, _ = strconv.Atoi(string(m[1]))
	}
	files, _ := filepath.Glob(filepath.Join(dir, "pgb*"))
	var lat []time.Duration
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, 0, err
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			fs := strings.Fields(sc.Text())
			if len(fs) >= 3 {
				us, _ := strconv.Atoi(fs[2])
				lat = append(lat, time.Duration(us)*time.Microsecond)
			}
		}
		fh.Close()
	}
	if len(lat) == 0 {
		return nil, 0, fmt.Errorf("pgbench logged no transactions:\n%s", out)
	}
	return lat, failed, nil
}

func benchOnline(ctx context.Context, cfg *config) ([]row, error) {
	tpl, err := sharedTemplate(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pgbenchInit(ctx, cfg, tpl); err != nil {
		return nil, err
	}
	// Each phase has its own baseline, pgbench alone on the same copy just before: the shared
	// machine's other load drifts over minutes.
	const baseFor = 15 * time.Second
	var rows []row
	var allBase []time.Duration
	addRows := func(what, target string, base, during []time.Duration, failed int, extra ...row) {
		allBase = append(allBase, base...)
		b99, d99 := percentile(base, 0.99), percentile(during, 0.99)
		log.Printf("pgbench %s: %d transactions, p50 %s p99 %s; alone %s / %s", what, len(during), ms(percentile(during, 0.5)), ms(d99),
			ms(percentile(base, 0.5)), ms(b99))
		rows = append(rows, row{"online", fmt.Sprintf("pgbench p99 %s (%d tx, %d failed) vs alone just before", what, len(during), failed),
			ms(d99), ms(b99), ratio(d99, b99), target})
		rows = append(rows, row{"online", fmt.Sprintf("pgbench p50 %s vs alone", what),
			ms(percentile(during, 0.5)), ms(percentile(base, 0.5)), ratio(percentile(during, 0.5), percentile(base, 0.5)), ""})
		rows = append(rows, extra...)
	}

	// The backfill with default settings.
	{
		db, err := createDB(ctx, cfg, tpl)
		if err != nil {
			return nil, err
		}
		base, during, failed, tput, duty, err := onlineBackfill(ctx, cfg, db)
		dropDB(ctx, cfg, db)
		if err != nil {
			return nil, err
		}
		var extra []row
		if cfg.singleRate > 0 {
			extra = append(extra, row{"online", fmt.Sprintf("backfill throughput meanwhile (batches running %.0f%% of the time) vs the single UPDATE on an idle database", 100*duty),
				fmt.Sprintf("%.0f rows/s", tput), fmt.Sprintf("%.0f rows/s", cfg.singleRate), fmt.Sprintf("%.2f×", tput/cfg.singleRate), "≥ 0.5×"})
		}
		// The single UPDATE under the same load: what the application gets instead, and the
		// throughput a backfill can be held to while pgbench shares the two cores.
		db, err = createDB(ctx, cfg, tpl)
		if err != nil {
			return nil, err
		}
		su, err := singleUnderLoad(ctx, cfg, db)
		dropDB(ctx, cfg, db)
		if err != nil {
			return nil, err
		}
		extra = append(extra, row{"online", fmt.Sprintf("backfill throughput meanwhile vs the single UPDATE of the first %d rows while pgbench runs", su.rows),
			fmt.Sprintf("%.0f rows/s", tput), fmt.Sprintf("%.0f rows/s", su.rate), fmt.Sprintf("%.2f×", tput/su.rate), ""})
		if cfg.singleRate > 0 {
			extra = append(extra, row{"online", "… the single UPDATE's own rows/s while pgbench runs vs on an idle database",
				fmt.Sprintf("%.0f rows/s", su.rate), fmt.Sprintf("%.0f rows/s", cfg.singleRate), fmt.Sprintf("%.2f×", su.rate/cfg.singleRate), ""})
		}
		addRows(fmt.Sprintf("during a steady backfill (default yield; alone and during in alternate %s windows)", measureWindow), "≤ 1.5×, 0 failed", base, during, failed, extra...)
		addRows(fmt.Sprintf("during the single UPDATE of %d rows (the alternative)", su.rows), "", su.alone, su.during, su.failed)
		if cfg.singleRate > 0 {
			cfg.loadedSingle = &loadedSingle{rateRatio: su.rate / cfg.singleRate,
				p99Ratio: float64(percentile(su.during, 0.99)) / float64(percentile(su.alone, 0.99))}
		}
	}

	// The index catalog built from scratch: steady's default, and the alternatives.
	for _, alt := range indexAlternatives {
		db, err := createDB(ctx, cfg, tpl)
		if err != nil {
			return nil, err
		}
		base, during, failed, took, err := onlineIndexBuilds(ctx, cfg, db, alt.setup, alt.env)
		dropDB(ctx, cfg, db)
		if err != nil {
			return nil, err
		}
		addRows("during the index builds, "+alt.name, "≤ 2×, 0 failed", base, during, failed, row{"online", "… time to build the index catalog meanwhile", fmt.Sprintf("%.1f s", took.Seconds()), "", "", ""})
	}
	rows = append([]row{{"online", fmt.Sprintf("pgbench p50 / p99 alone (all baselines, %d tx)", len(allBase)),
		ms(percentile(allBase, 0.5)) + " / " + ms(percentile(allBase, 0.99)), "", "", ""}}, rows...)
	return rows, nil
}

// indexAlternatives are the ways to run the index builds that the bench compares.
var indexAlternatives = []struct {
	name  string
	setup string   // ALTER DATABASE … SET, before anything connects
	env   []string // the worker's
}{
	{"default: each table's parallel_workers = 0 for its build", "", nil},
	{"tables left alone (server default max_parallel_maintenance_workers = 2; steady's previous default)", "", []string{"STEADY_INDEX_PARALLEL_WORKERS=-1"}},
	{"tables left alone, database max_parallel_maintenance_workers = 0 (the previous advice)", "max_parallel_maintenance_workers = 0", []string{"STEADY_INDEX_PARALLEL_WORKERS=-1"}},
}

// singleUnderLoadRows is how much of the table the single UPDATE under load changes: enough
// for a minute's work, not the whole table.
const singleUnderLoadRows = 1_000_000

type singleMeasure struct {
	rows          int64
	rate          float64 // rows/s
	alone, during []time.Duration
	failed        int
}

// singleUnderLoad measures pgbench alone, then runs the backfill's UPDATE over the first
// singleUnderLoadRows keys in one statement through PgBouncer while pgbench goes on.
func singleUnderLoad(ctx context.Context, cfg *config, db string) (singleMeasure, error) {
	var m singleMeasure
	b, _ := catalogfiles.ShippedBackfills().Lookup("leads_phone_whatsapp")
	conn, err := pgx.Connect(ctx, withDB(cfg.poolerURL, db)+"&default_query_exec_mode=exec")
	if err != nil {
		return m, err
	}
	defer conn.Close(ctx)
	stream := startPgbench(ctx, cfg, db)
	sleepCtx(ctx, settleAfter)
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
	m.alone, _ = between(txs, from, t0)
	m.during, m.failed = between(txs, t0, t1)
	log.Printf("single UPDATE under pgbench: %d rows, %.0f rows/s", m.rows, m.rate)
	return m, nil
}

// onlineBackfill measures pgbench alone and during the backfill with the worker's defaults,
// interleaved, and the backfill's rate and the share of time its batches ran meanwhile.
func onlineBackfill(ctx context.Context, cfg *config, db string) (base, during []time.Duration, failed int, rate, duty float64, err error) {
	w, err := startWorker(ctx, cfg, db)
	if err != nil {
		return
	}
	defer w.stop()
	m, err := measureBackfill(ctx, cfg, w, db, "leads_phone_whatsapp", true)
	return m.alone, m.during, m.failed, m.rate, m.duty, err
}

// onlineIndexBuilds drops the index catalog's indexes, applies a database setting (if any),
// measures pgbench alone, then starts a worker (which enqueues the builds) and measures pgbench
// until every catalog index is valid again.
func onlineIndexBuilds(ctx context.Context, cfg *config, db, setting string, env []string) (base, during []time.Duration, failed int, took time.Duration, err error) {
	c, err := pgx.Connect(ctx, withDB(cfg.directURL, db))
	if err != nil {
		return
	}
	defer c.Close(ctx)
	for _, ix := range catalogfiles.ShippedIndexes().All() {
		if _, err = c.Exec(ctx, "DROP INDEX IF EXISTS "+pgx.Identifier{ix.Name}.Sanitize()); err != nil {
			return
		}
	}
	if setting != "" {
		if _, err = c.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{db}.Sanitize()+" SET "+setting); err != nil {
			return
		}
	}
	// The builds before this one (benchIndexes alternates them on the same copies) leave dirty
	// pages: written now, not during this measurement (see createDB).
	if _, err = c.Exec(ctx, "CHECKPOINT"); err != nil {
		return
	}
	if base, err = pgbenchFor(ctx, cfg, db, 15*time.Second); err != nil {
		return
	}
	stream := startPgbench(ctx, cfg, db)
	start := time.Now()
	w, err := startWorker(ctx, cfg, db, env...)
	if err != nil {
		stream.finish()
		return
	}
	err = waitFor(ctx, time.Hour, "index builds", func() (bool, error) { return catalogValid(ctx, c) })
	took = time.Since(start)
	end := time.Now()
	w.stop()
	txs, serr := stream.finish()
	if err = cmpErr(err, serr); err != nil {
		return
	}
	during, failed = between(txs, start, end)
	return base, during, failed, took, nil
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

// indexBuildsFromScratch drops the index catalog's indexes in db, runs setup (if any), and starts
// a worker, which enqueues the builds at start.
func indexBuildsFromScratch(ctx context.Context, cfg *config, db, setup string) (*worker, error) {
	c, err := pgx.Connect(ctx, withDB(cfg.directURL, db))
	if err != nil {
		return nil, err
	}
	defer c.Close(ctx)
	for _, ix := range catalogfiles.ShippedIndexes().All() {
		if _, err := c.Exec(ctx, "DROP INDEX IF EXISTS "+pgx.Identifier{ix.Name}.Sanitize()); err != nil {
			return nil, err
		}
	}
	if setup != "" {
		if _, err := c.Exec(ctx, setup); err != nil {
			return nil, err
		}
	}
	return startWorker(ctx, cfg, db)
}
