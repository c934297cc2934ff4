package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

// populated builds, once per run, a migrated database holding rows leads whose phone_whatsapp
// needs the leads_phone_whatsapp backfill, and call_log rows for the index builds. Scenarios
// copy it (CREATE DATABASE … TEMPLATE) so each side starts from the same data.
func populated(ctx context.Context, cfg *config, leads int) (string, error) {
	name, err := createDB(ctx, cfg, "")
	if err != nil {
		return "", err
	}
	pools, err := dbconn.Open(ctx, dbconn.Config{DirectURL: withDB(cfg.directURL, name), PoolerURL: withDB(cfg.poolerURL, name), Logger: quiet}, dbconn.OpenOpts{Migrate: true})
	if err != nil {
		return "", err
	}
	defer pools.Close()
	m, err := migrate.New(migrate.Config{Pool: pools.Migration.Pool, Migrations: migrations.FS, Logger: quiet})
	if err != nil {
		return "", err
	}
	if _, err := m.Migrate(ctx, migrate.Opts{}); err != nil {
		return "", err
	}
	log.Printf("populating %d leads and %d calls", leads, leads)
	for _, sql := range []string{
		`INSERT INTO business (name, slug) SELECT 'bench ' || g, 'bench-' || g FROM generate_series(1, 100) g`,
		fmt.Sprintf(`INSERT INTO leads (business_id, full_name, phone_whatsapp, status)
			SELECT 1 + g %% 100, 'Lead ' || g,
				CASE g %% 4 WHEN 0 THEN '05' || lpad((g %% 100000000)::text, 8, '0')
				            WHEN 1 THEN '+972-5' || lpad((g %% 100000000)::text, 8, '0')
				            WHEN 2 THEN '00972 5' || lpad((g %% 100000000)::text, 8, '0')
				            ELSE '9725' || lpad((g %% 100000000)::text, 8, '0') || '@s.whatsapp.net' END,
				(ARRAY['new','contacted','qualified','won','lost'])[1 + g %% 5]
			FROM generate_series(1, %d) g`, leads),
		fmt.Sprintf(`INSERT INTO call_log (business_id, lead_id, call_sid, direction, from_number, to_number, started_at)
			SELECT 1 + g %% 100, 1 + (g::bigint * 7919) %% %d, 'CA' || g, (ARRAY['inbound','outbound']::call_direction[])[1 + g %% 2],
				'+97250' || lpad(g::text, 7, '0'), '+97239' || lpad((g %% 1000)::text, 7, '0'),
				now() - make_interval(mins => g %% 500000)
			FROM generate_series(1, %d) g`, leads, leads),
		`VACUUM ANALYZE leads`, `VACUUM ANALYZE call_log`,
	} {
		if _, err := pools.Migration.Exec(ctx, sql); err != nil {
			return "", fmt.Errorf("populate: %w", err)
		}
	}
	return name, nil
}

// sharedTemplate is populated(cfg.rows) with the index catalog built (both sides of every
// comparison run with it, as production would), made once per run: at 5M rows populating takes
// minutes. Scenarios work on copies (online adds pgbench's tables to it).
func sharedTemplate(ctx context.Context, cfg *config) (string, error) {
	if cfg.template != "" {
		return cfg.template, nil
	}
	tpl, err := populated(ctx, cfg, cfg.rows)
	if err != nil {
		return "", err
	}
	if err := withIndexes(ctx, cfg, tpl); err != nil {
		dropDB(ctx, cfg, tpl)
		return "", err
	}
	cfg.template = tpl
	return tpl, nil
}

// worker runs the built steady worker against db and returns a handle.
type worker struct {
	cmd     *exec.Cmd
	mu      sync.Mutex
	batches []time.Duration
	spans   [][2]time.Time // each batch's start and end
	builds  []buildSpan    // index builds (CREATE INDEX CONCURRENTLY), from the worker's log
	done    chan struct{}
}

// buildSpan is one index build the worker ran.
type buildSpan struct {
	index, table string
	start, end   time.Time
}

// busy is the share of [from, to) in which a batch of this worker was running (of its slices
// together, when several run at once).
func (w *worker) busy(from, to time.Time) float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var sum time.Duration
	for _, s := range w.spans {
		a, b := maxT(s[0], from), minT(s[1], to)
		if b.After(a) {
			sum += b.Sub(a)
		}
	}
	return sum.Seconds() / to.Sub(from).Seconds()
}

func (w *worker) indexBuilds() []buildSpan {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.builds)
}

func startWorker(ctx context.Context, cfg *config, db string, env ...string) (*worker, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(cfg.root, "bin", "steady"), "worker")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL_DIRECT="+withDB(cfg.directURL, db), "DATABASE_URL_POOLER="+withDB(cfg.poolerURL, db),
		"STEADY_HTTP_ADDR=127.0.0.1:0", "STEADY_LOG_FORMAT=json", "STEADY_LOG_LEVEL=debug",
		// Only the work a scenario asks for: no backfill starts by itself.
		"STEADY_BACKFILL_ON_START=none")
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	w := &worker{cmd: cmd, done: make(chan struct{})}
	go w.read(stderr)
	return w, nil
}

func (w *worker) read(r io.Reader) {
	defer close(w.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e struct {
			Time     time.Time     `json:"time"`
			Msg      string        `json:"msg"`
			MS       float64       `json:"ms"`
			Index    string        `json:"index"`
			Table    string        `json:"table"`
			Duration time.Duration `json:"duration"`
		}
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		switch e.Msg {
		case "backfill batch":
			w.mu.Lock()
			d := time.Duration(e.MS * float64(time.Millisecond))
			w.batches = append(w.batches, d)
			w.spans = append(w.spans, [2]time.Time{e.Time.Add(-d), e.Time})
			w.mu.Unlock()
		case "index build: create", "index build: create_replacement":
			w.mu.Lock()
			w.builds = append(w.builds, buildSpan{index: e.Index, table: e.Table, start: e.Time.Add(-e.Duration), end: e.Time})
			w.mu.Unlock()
		}
	}
}

// peakRSS is the worker's high-water resident set (VmHWM).
func (w *worker) peakRSS() string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v)
			kb, _ := strconv.Atoi(f[0])
			return fmt.Sprintf("%d MiB", kb/1024)
		}
	}
	return "?"
}

func (w *worker) stop() {
	_ = w.cmd.Process.Signal(os.Interrupt)
	<-w.done
	_ = w.cmd.Wait()
}

// steadyCmd runs a one-shot steady command against db.
func steadyCmd(ctx context.Context, cfg *config, db string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(cfg.root, "bin", "steady"), args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL_DIRECT="+withDB(cfg.directURL, db), "DATABASE_URL_POOLER="+withDB(cfg.poolerURL, db), "STEADY_LOG_FORMAT=json")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("steady %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// singleUpdate is the catalog backfill's batch statement without its key range: one UPDATE
// making the same change on the whole table.
func singleUpdate(b backfills.Backfill) string {
	return strings.Replace(b.Update, "id > $1 AND id <= $2 AND ", "", 1)
}

// backfillReps is how many times the backfill scenario runs each of its three measurements.
var backfillReps = 2

func benchBackfill(ctx context.Context, cfg *config) ([]row, error) {
	const name = "leads_phone_whatsapp"
	b, _ := catalogfiles.ShippedBackfills().Lookup(name)
	tpl, err := sharedTemplate(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// The single UPDATE (the baseline, through PgBouncer) and steady in 1 and 2 slices, each on
	// a copy of its own, in alternating order backfillReps times: the shared machine drifts
	// over the minutes one of them takes.
	var singles []time.Duration
	var rowsN int64
	took := map[int][]time.Duration{}
	var rss string
	var batches []time.Duration
	for rep := range backfillReps {
		order := []int{0, 1, 2} // 0: the single UPDATE; n: steady with n slices
		if rep%2 == 1 {
			slices.Reverse(order)
		}
		for _, n := range order {
			if n == 0 {
				d, affected, err := singleUpdateRun(ctx, cfg, tpl, b)
				if err != nil {
					return nil, err
				}
				log.Printf("single UPDATE: %d rows in %s", affected, ms(d))
				singles, rowsN = append(singles, d), affected
				continue
			}
			d, r, bs, err := steadyBackfill(ctx, cfg, tpl, b, n)
			if err != nil {
				return nil, err
			}
			log.Printf("steady backfill, %d slice(s): %s, %d batches", n, ms(d), len(bs))
			took[n] = append(took[n], d)
			if n == 1 {
				rss, batches = r, append(batches, bs...)
			}
		}
	}
	single := median(singles)
	cfg.singleRate = float64(rowsN) / single.Seconds()
	tput := func(d time.Duration) string { return fmt.Sprintf("%.0f rows/s", float64(rowsN)/d.Seconds()) }
	// Throughput ratios: steady's rate against the single UPDATE's, run i of each paired.
	speed := func(n int) ratios { return durationRatios(singles, took[n]) }
	one, two := median(took[1]), median(took[2])
	rows := []row{ratioRow("backfill", fmt.Sprintf("`%s` over %d rows through PgBouncer, application idle: throughput (alternated with the single UPDATE's)", name, rowsN),
		tput(one), tput(single), speed(1), "runs", atLeast(0.7), true)}
	if len(batches) > 0 {
		p99 := percentile(batches, 0.99)
		rows = append(rows, row{scenario: "backfill", measure: fmt.Sprintf("batch duration p50 / p99 (%d batches)", len(batches)),
			steady: ms(percentile(batches, 0.5)) + " / " + ms(p99), target: "p99 ≤ 500 ms", met: yesNo(p99 <= 500*time.Millisecond)})
	}
	rows = append(rows, row{scenario: "backfill", measure: "worker peak RSS (VmHWM)", steady: rss},
		ratioRow("backfill", "the same in 2 slices (`--slices 2`, 2 backfill workers), application idle: throughput (alternated)",
			tput(two), tput(single), speed(2), "runs", atLeast(1.0), true))
	return rows, nil
}

// singleUpdateRun makes b's change with one UPDATE through PgBouncer on a copy of tpl.
func singleUpdateRun(ctx context.Context, cfg *config, tpl string, b backfills.Backfill) (time.Duration, int64, error) {
	db, err := createDB(ctx, cfg, tpl)
	if err != nil {
		return 0, 0, err
	}
	defer dropDB(ctx, cfg, db)
	conn, err := pgx.Connect(ctx, withDB(cfg.poolerURL, db)+"&default_query_exec_mode=simple_protocol")
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(ctx)
	start := time.Now()
	tag, err := conn.Exec(ctx, singleUpdate(b))
	if err != nil {
		return 0, 0, fmt.Errorf("single UPDATE: %w", err)
	}
	return time.Since(start), tag.RowsAffected(), nil
}

// steadyBackfill runs b to its end on a copy of tpl with a worker and the admin script's
// enqueue --wait, checks that nothing is left to do, and returns how long it took, the worker's
// peak RSS and its batches' durations.
func steadyBackfill(ctx context.Context, cfg *config, tpl string, b backfills.Backfill, slices int) (time.Duration, string, []time.Duration, error) {
	sdb, err := createDB(ctx, cfg, tpl)
	if err != nil {
		return 0, "", nil, err
	}
	defer dropDB(ctx, cfg, sdb)
	w, err := startWorker(ctx, cfg, sdb)
	if err != nil {
		return 0, "", nil, err
	}
	start := time.Now()
	if _, err := steadyCmd(ctx, cfg, sdb, "backfill", "enqueue", b.Name, "--wait", "--slices", strconv.Itoa(slices)); err != nil {
		w.stop()
		return 0, "", nil, err
	}
	took := time.Since(start)
	rss := w.peakRSS()
	w.stop()
	var left int64
	c2, err := pgx.Connect(ctx, withDB(cfg.directURL, sdb))
	if err != nil {
		return 0, "", nil, err
	}
	err = c2.QueryRow(ctx, strings.Replace(strings.Replace(b.Pending, "$1", "0", 1), "$2", "9223372036854775807", 1)+" LIMIT 1").Scan(&left)
	c2.Close(ctx)
	if err == nil {
		return 0, "", nil, fmt.Errorf("steady's backfill left rows to do")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return took, rss, w.batches, nil
}
