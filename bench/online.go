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

	"github.com/steadydb/steady/jobs"
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
	u, _ := pgx.ParseConfig(cfg.directURL)
	ini := exec.CommandContext(ctx, pgbenchBin(), "-i", "-s", "10", "-q", "-h", u.Host, "-p", strconv.Itoa(int(u.Port)), "-U", u.User, tpl)
	ini.Env = append(os.Environ(), "PGPASSWORD="+u.Password)
	if out, err := ini.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgbench -i: %w\n%s", err, out)
	}
	const d = 20 * time.Second
	type phase struct {
		name  string
		setup func(db string) (*worker, error)
	}
	var base []time.Duration
	var rows []row
	for _, p := range []phase{
		{"baseline (pgbench alone)", func(string) (*worker, error) { return nil, nil }},
		{"during a steady backfill", func(db string) (*worker, error) {
			w, err := startWorker(ctx, cfg, db)
			if err != nil {
				return nil, err
			}
			_, err = steadyCmd(ctx, cfg, db, "backfill", "enqueue", "leads_phone_whatsapp")
			return w, err
		}},
		{"during the index builds", func(db string) (*worker, error) { return indexBuildsFromScratch(ctx, cfg, db, "") }},
		// What README advises where latency matters more than build time: the setting cannot be
		// made per build through a transaction pooler, so it is the database's (or the role's).
		{"during the index builds, database max_parallel_maintenance_workers = 0", func(db string) (*worker, error) {
			return indexBuildsFromScratch(ctx, cfg, db, "ALTER DATABASE "+pgx.Identifier{db}.Sanitize()+" SET max_parallel_maintenance_workers = 0")
		}},
	} {
		db, err := createDB(ctx, cfg, tpl)
		if err != nil {
			return nil, err
		}
		w, err := p.setup(db)
		if err != nil {
			dropDB(ctx, cfg, db)
			return nil, err
		}
		lat, failed, err := pgbenchRun(ctx, cfg, db, d)
		if w != nil {
			w.stop()
		}
		dropDB(ctx, cfg, db)
		if err != nil {
			return nil, err
		}
		p50, p99 := percentile(lat, 0.5), percentile(lat, 0.99)
		log.Printf("pgbench %s: %d transactions, p50 %s p99 %s, %d failed", p.name, len(lat), ms(p50), ms(p99), failed)
		if base == nil {
			base = lat
			rows = append(rows, row{"online", fmt.Sprintf("pgbench p50 / p99, %s, %d tx, %d failed", p.name, len(lat), failed), ms(p50) + " / " + ms(p99), "", "", ""})
			continue
		}
		rows = append(rows, row{"online", fmt.Sprintf("pgbench p99 %s (%d tx, %d failed) vs alone", p.name, len(lat), failed),
			ms(p99), ms(percentile(base, 0.99)), ratio(p99, percentile(base, 0.99)), "≤ 2×, 0 failed"})
		rows = append(rows, row{"online", fmt.Sprintf("pgbench p50 %s vs alone", p.name),
			ms(p50), ms(percentile(base, 0.5)), ratio(p50, percentile(base, 0.5)), ""})
	}
	return rows, nil
}

// indexBuildsFromScratch drops the index catalog's indexes in db, runs setup (if any), and starts
// a worker, which enqueues the builds at start.
func indexBuildsFromScratch(ctx context.Context, cfg *config, db, setup string) (*worker, error) {
	c, err := pgx.Connect(ctx, withDB(cfg.directURL, db))
	if err != nil {
		return nil, err
	}
	defer c.Close(ctx)
	for _, ix := range jobs.Indexes().All() {
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
