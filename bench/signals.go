package main

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/catalogfiles"
)

// The signals scenario measures which health signals predict pgbench's p99, to choose the
// backfill controller's inputs from data rather than by assumption. pgbench runs at several
// loads (closed loop, rate-limited, none) while a batch driver runs the catalog backfill's
// UPDATE through PgBouncer at several duty cycles (gh-ost's nice ratio: sleep = nice × the last
// batch), and a sampler reads each candidate signal every 100 ms, as the controller would.
// Each second becomes one window: pgbench's p99 among the transactions that ended in it, and
// each signal's value; the scenario reports each signal's rank correlation with that p99.

// signalSample is one reading of the candidate signals.
type signalSample struct {
	at       time.Time
	probe    time.Duration // round trip of SELECT 1 through PgBouncer
	active   int           // active client backends other than the driver's and the sampler's
	walBytes int64         // pg_current_wal_lsn() as bytes
	vacuum   bool          // autovacuum (or VACUUM) running on the backfill's table
	walWait  int           // backends waiting on WAL (LWLock WALWrite, IO WALSync/WALWrite)
}

// batchSample is one batch of the driver.
type batchSample struct {
	start, end time.Time
	keys       int64
}

// pgbenchTx is one pgbench transaction: when it ended and how long it took, or that it failed.
type pgbenchTx struct {
	end    time.Time
	lat    time.Duration
	failed bool
}

const benchApp = "steady" // the driver and the sampler pose as steady: "other" backends exclude them

func benchSignals(ctx context.Context, cfg *config) ([]row, error) {
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

	const phase = 12 * time.Second
	// Closed loop first: its rate sets the open-loop load.
	closed := pgbenchLoad{name: "closed loop", clients: 4}
	var phases []signalPhase
	for range 2 { // twice, interleaved: the machine's other load drifts
		for _, load := range []pgbenchLoad{closed, {name: "50% rate", clients: 4, rate: -openLoopShare}, {name: "idle"}} {
			for _, nice := range []float64{-1, 0, 1, 3, 9} { // -1: no backfill
				phases = append(phases, signalPhase{load: load, nice: nice})
			}
		}
	}
	drv := &batchDriver{cfg: cfg, db: db}
	if err := drv.open(ctx); err != nil {
		return nil, err
	}
	defer drv.close()
	smp := &sampler{cfg: cfg, db: db}
	if err := smp.open(ctx); err != nil {
		return nil, err
	}
	defer smp.close()
	sctx, stopSampler := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { smp.run(sctx) })
	defer func() { stopSampler(); wg.Wait() }()

	var closedTPS float64
	for i := range phases {
		p := &phases[i]
		if p.load.rate < 0 {
			p.load.rate = -p.load.rate * closedTPS
		}
		p.start = time.Now()
		dctx, stopDriver := context.WithCancel(ctx)
		var dwg sync.WaitGroup
		if p.nice >= 0 {
			dwg.Go(func() { drv.run(dctx, p.nice) })
		}
		if p.load.clients > 0 {
			txs, err := pgbenchTimed(ctx, cfg, db, p.load, phase)
			if err != nil {
				stopDriver()
				return nil, err
			}
			p.txs = txs
		} else {
			sleepCtx(ctx, phase)
		}
		stopDriver()
		dwg.Wait()
		p.end = time.Now()
		if p.load == closed && p.nice < 0 && closedTPS == 0 {
			closedTPS = float64(len(p.txs)) / phase.Seconds()
		}
		log.Printf("signals: %s, nice %g: %d tx, p99 %s", p.load.name, p.nice, len(p.txs), ms(p99tx(p.txs)))
	}
	stopSampler()
	wg.Wait()
	return analyseSignals(phases, smp.samples, drv.batches()), nil
}

type pgbenchLoad struct {
	name, short string // in a measure; short, as a prefix of the rows that follow the first
	clients     int
	rate        float64 // transactions per second; 0 closed loop; <0 a share of the closed loop's
	maxRate     float64 // pgbench's closed-loop rate alone, which rate is a share of
}

type signalPhase struct {
	load       pgbenchLoad
	nice       float64 // <0 no backfill
	start, end time.Time
	txs        []pgbenchTx
}

func pgbenchInit(ctx context.Context, cfg *config, db string) error {
	u, _ := pgx.ParseConfig(cfg.directURL)
	var n int
	c, err := pgx.Connect(ctx, withDB(cfg.directURL, db))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	if c.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relname = 'pgbench_accounts'`).Scan(&n) == nil && n > 0 {
		return nil
	}
	ini := exec.CommandContext(ctx, pgbenchBin(), "-i", "-s", "10", "-q", "-h", u.Host, "-p", strconv.Itoa(int(u.Port)), "-U", u.User, db)
	ini.Env = append(os.Environ(), "PGPASSWORD="+u.Password)
	if out, err := ini.CombinedOutput(); err != nil {
		return fmt.Errorf("pgbench -i: %w\n%s", err, out)
	}
	return nil
}

// pgbenchTimed runs pgbench through PgBouncer for d and returns each transaction with its end
// time.
func pgbenchTimed(ctx context.Context, cfg *config, db string, load pgbenchLoad, d time.Duration) ([]pgbenchTx, error) {
	dir, err := os.MkdirTemp("", "pgbench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	u, _ := pgx.ParseConfig(cfg.poolerURL)
	args := []string{"-h", u.Host, "-p", strconv.Itoa(int(u.Port)), "-U", u.User,
		"-c", strconv.Itoa(load.clients), "-j", "2", "-T", strconv.Itoa(int(d.Seconds())), "--protocol=simple", "-n",
		"-l", "--log-prefix=" + filepath.Join(dir, "pgb")}
	if load.rate > 0 {
		args = append(args, "-R", strconv.Itoa(int(load.rate)))
	}
	cmd := exec.CommandContext(ctx, pgbenchBin(), append(args, db)...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+u.Password)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgbench: %w\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "pgb*"))
	var txs []pgbenchTx
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			// client_id transaction_no time script_no time_epoch time_us [schedule_lag]
			fs := strings.Fields(sc.Text())
			if len(fs) < 6 {
				continue
			}
			us, err := strconv.ParseInt(fs[2], 10, 64) // "failed" (or "skipped") instead of a time
			sec, _ := strconv.ParseInt(fs[4], 10, 64)
			usec, _ := strconv.ParseInt(fs[5], 10, 64)
			txs = append(txs, pgbenchTx{end: time.Unix(sec, usec*1000), lat: time.Duration(us) * time.Microsecond, failed: err != nil})
		}
		fh.Close()
	}
	slices.SortFunc(txs, func(a, b pgbenchTx) int { return a.end.Compare(b.end) })
	return txs, nil
}

func p99tx(txs []pgbenchTx) time.Duration {
	if len(txs) == 0 {
		return 0
	}
	var lat []time.Duration
	for _, t := range txs {
		if !t.failed {
			lat = append(lat, t.lat)
		}
	}
	if len(lat) == 0 {
		return 0
	}
	return percentile(lat, 0.99)
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// batchDriver runs the catalog backfill's UPDATE in keyset batches through PgBouncer, sized to
// 200 ms, sleeping nice × the last batch between batches.
type batchDriver struct {
	cfg    *config
	db     string
	conn   *pgx.Conn
	update string
	cursor int64
	size   int64
	mu     sync.Mutex
	done   []batchSample
}

func (d *batchDriver) open(ctx context.Context) error {
	b, _ := catalogfiles.ShippedBackfills().Lookup("leads_phone_whatsapp")
	d.update, d.size = b.Update, 1000
	var err error
	d.conn, err = pgx.Connect(ctx, withDB(d.cfg.poolerURL, d.db)+"&application_name="+benchApp+"&default_query_exec_mode=exec")
	if err != nil {
		return err
	}
	return d.conn.QueryRow(ctx, `SELECT coalesce(min(id), 1) - 1 FROM leads`).Scan(&d.cursor)
}

func (d *batchDriver) close() { d.conn.Close(context.Background()) }

func (d *batchDriver) run(ctx context.Context, nice float64) {
	const target = 200 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		// Not ctx: a cancelled Exec closes the connection; the phase ends after its batch.
		if _, err := d.conn.Exec(context.Background(), d.update, d.cursor, d.cursor+d.size); err != nil {
			if ctx.Err() == nil {
				log.Printf("signals: batch: %v", err)
			}
			return
		}
		took := time.Since(start)
		d.mu.Lock()
		d.done = append(d.done, batchSample{start: start, end: start.Add(took), keys: d.size})
		d.mu.Unlock()
		d.cursor += d.size
		d.size = max(100, min(100_000, int64(float64(d.size)*min(2, target.Seconds()/took.Seconds()))))
		if nice > 0 {
			sleepCtx(ctx, time.Duration(nice*float64(took)))
		}
	}
}

func (d *batchDriver) batches() []batchSample {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.done)
}

// sampler reads the candidate signals every 100 ms through PgBouncer.
type sampler struct {
	cfg     *config
	db      string
	conn    *pgx.Conn
	samples []signalSample
}

func (s *sampler) open(ctx context.Context) error {
	var err error
	s.conn, err = pgx.Connect(ctx, withDB(s.cfg.poolerURL, s.db)+"&application_name="+benchApp+"&default_query_exec_mode=simple_protocol")
	return err
}

func (s *sampler) close() { s.conn.Close(context.Background()) }

const signalQuery = `
SELECT
  (SELECT count(*) FROM pg_stat_activity a
   WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
     AND a.state = 'active' AND a.application_name IS DISTINCT FROM current_setting('application_name'))::int,
  (pg_current_wal_lsn() - '0/0')::bigint,
  EXISTS (SELECT 1 FROM pg_stat_progress_vacuum v WHERE v.relid = 'leads'::regclass),
  (SELECT count(*) FROM pg_stat_activity a
   WHERE (a.wait_event_type = 'LWLock' AND a.wait_event IN ('WALWrite', 'WALInsert'))
      OR (a.wait_event_type = 'IO' AND a.wait_event IN ('WALSync', 'WALWrite')))::int`

func (s *sampler) run(ctx context.Context) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var sm signalSample
		sm.at = time.Now()
		if _, err := s.conn.Exec(ctx, "SELECT 1"); err != nil {
			return
		}
		sm.probe = time.Since(sm.at)
		if err := s.conn.QueryRow(ctx, signalQuery).Scan(&sm.active, &sm.walBytes, &sm.vacuum, &sm.walWait); err != nil {
			return
		}
		s.samples = append(s.samples, sm)
	}
}

// signalWindow is one second of a phase: pgbench's p99 and every signal's value.
type signalWindow struct {
	phase                  int
	p99                    float64 // ms
	probe, active, walMBps float64
	vacuum, walWait        float64
	duty                   float64 // share of the window a batch was in flight
	costRatio              float64 // batch seconds per key / its idle (no pgbench) median; NaN without batches
}

func analyseSignals(phases []signalPhase, samples []signalSample, batches []batchSample) []row {
	// The idle cost per key: batches of the phases without pgbench.
	var idleCost []float64
	for _, p := range phases {
		if p.load.clients == 0 {
			for _, b := range batches {
				if !b.start.Before(p.start) && b.end.Before(p.end) {
					idleCost = append(idleCost, b.end.Sub(b.start).Seconds()/float64(b.keys))
				}
			}
		}
	}
	baseCost := medianF(idleCost)
	var probeIdle []float64
	for _, p := range phases {
		if p.load.clients == 0 && p.nice < 0 {
			for _, s := range samples {
				if s.at.After(p.start) && s.at.Before(p.end) {
					probeIdle = append(probeIdle, s.probe.Seconds()*1000)
				}
			}
		}
	}
	baseProbe := medianF(probeIdle)

	signals := []struct {
		name string
		f    func(signalWindow) float64
	}{
		{"POOLER round trip of SELECT 1 / its idle median", func(w signalWindow) float64 { return w.probe }},
		{"active backends other than steady's", func(w signalWindow) float64 { return w.active }},
		{"WAL rate", func(w signalWindow) float64 { return w.walMBps }},
		{"backends waiting on WAL", func(w signalWindow) float64 { return w.walWait }},
		{"autovacuum on the table", func(w signalWindow) float64 { return w.vacuum }},
		{"batch duty cycle (nice ratio)", func(w signalWindow) float64 { return w.duty }},
		{"batch time per key / its idle median (windows with batches)", func(w signalWindow) float64 { return w.costRatio }},
	}
	var windows []signalWindow
	var rows []row
	phaseP99 := []float64{}
	phaseSig := make([][]float64, len(signals))
	for i, p := range phases {
		var phaseWindows []signalWindow
		for t := p.start.Truncate(time.Second).Add(2 * time.Second); t.Add(time.Second).Before(p.end); t = t.Add(time.Second) {
			w := window(i, t, t.Add(time.Second), p, samples, batches, baseCost, baseProbe)
			phaseWindows = append(phaseWindows, w)
			if p.load.clients > 0 && !math.IsNaN(w.p99) {
				windows = append(windows, w)
			}
		}
		agg := func(f func(signalWindow) float64) float64 {
			var v []float64
			for _, w := range phaseWindows {
				if x := f(w); !math.IsNaN(x) {
					v = append(v, x)
				}
			}
			return medianF(v)
		}
		nice := "no backfill"
		if p.nice >= 0 {
			nice = fmt.Sprintf("nice %g (duty %.0f%%)", p.nice, 100*agg(func(w signalWindow) float64 { return w.duty }))
		}
		p99 := "-"
		if len(p.txs) > 0 {
			p99 = ms(p99tx(p.txs))
			phaseP99 = append(phaseP99, p99tx(p.txs).Seconds()*1000)
			for k, sig := range signals {
				phaseSig[k] = append(phaseSig[k], agg(sig.f))
			}
		}
		rows = append(rows, row{scenario: "signals", measure: fmt.Sprintf("pgbench %s, %s: p99 / probe ratio / active / WAL MB/s / WAL waiters / batch cost ratio", p.load.name, nice),
			steady: fmt.Sprintf("%s / %.2f / %.1f / %.1f / %.2f / %.2f", p99, agg(func(w signalWindow) float64 { return w.probe }),
				agg(func(w signalWindow) float64 { return w.active }), agg(func(w signalWindow) float64 { return w.walMBps }),
				agg(func(w signalWindow) float64 { return w.walWait }), agg(func(w signalWindow) float64 { return w.costRatio }))})
	}
	for k, sig := range signals {
		var xs, ys []float64
		for _, w := range windows {
			if x := sig.f(w); !math.IsNaN(x) {
				xs, ys = append(xs, x), append(ys, w.p99)
			}
		}
		var pxs, pys []float64
		for j, x := range phaseSig[k] {
			if !math.IsNaN(x) {
				pxs, pys = append(pxs, x), append(pys, phaseP99[j])
			}
		}
		rows = append(rows, row{scenario: "signals", measure: fmt.Sprintf("Spearman ρ of %s with pgbench p99: per second (%d s) / per phase (%d phases)", sig.name, len(xs), len(pxs)),
			steady: fmt.Sprintf("%.2f / %.2f", spearman(xs, ys), spearman(pxs, pys))})
	}
	return rows
}

func window(phase int, from, to time.Time, p signalPhase, samples []signalSample, batches []batchSample, baseCost, baseProbe float64) signalWindow {
	w := signalWindow{phase: phase, p99: math.NaN(), costRatio: math.NaN()}
	var lat []time.Duration
	for _, t := range p.txs {
		if !t.failed && !t.end.Before(from) && t.end.Before(to) {
			lat = append(lat, t.lat)
		}
	}
	if len(lat) >= 20 {
		w.p99 = percentile(lat, 0.99).Seconds() * 1000
	}
	var probes []float64
	var first, last *signalSample
	n := 0
	for i := range samples {
		s := &samples[i]
		if s.at.Before(from) || !s.at.Before(to) {
			continue
		}
		probes = append(probes, s.probe.Seconds()*1000/baseProbe)
		w.active += float64(s.active)
		w.walWait += float64(s.walWait)
		if s.vacuum {
			w.vacuum++
		}
		if first == nil {
			first = s
		}
		last = s
		n++
	}
	if n > 0 {
		w.probe = medianF(probes)
		w.active /= float64(n)
		w.walWait /= float64(n)
		w.vacuum /= float64(n)
		if first != last {
			w.walMBps = float64(last.walBytes-first.walBytes) / last.at.Sub(first.at).Seconds() / 1e6
		}
	}
	var busy time.Duration
	var costs []float64
	for _, b := range batches {
		s, e := maxT(b.start, from), minT(b.end, to)
		if e.After(s) {
			busy += e.Sub(s)
		}
		if !b.end.Before(from) && b.end.Before(to) {
			costs = append(costs, b.end.Sub(b.start).Seconds()/float64(b.keys)/baseCost)
		}
	}
	w.duty = busy.Seconds() / to.Sub(from).Seconds()
	if len(costs) > 0 {
		w.costRatio = medianF(costs)
	}
	return w
}

func maxT(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minT(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func medianF(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

// spearman is the rank correlation of xs and ys (ties get their mean rank).
func spearman(xs, ys []float64) float64 {
	if len(xs) < 3 {
		return math.NaN()
	}
	return pearson(ranks(xs), ranks(ys))
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		for k := i; k <= j; k++ {
			r[idx[k]] = float64(i+j)/2 + 1
		}
		i = j + 1
	}
	return r
}

func pearson(xs, ys []float64) float64 {
	n := float64(len(xs))
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}
