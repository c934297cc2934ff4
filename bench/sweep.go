package main

import (
	"context"
	"fmt"
	"log"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/catalogfiles"
)

// The sweep measures the backfill controller's main setting, STEADY_BACKFILL_YIELD, from full
// speed (0) to most polite, against pgbench: for each value, pgbench's p99 while the backfill
// runs against pgbench alone in the windows in between (measureBackfill), and the backfill's
// rows per second meanwhile against the single UPDATE's (on an idle database). One run works
// through the table, paused between windows and points (the worker restarted with the next
// value), so every window changes fresh rows.

var sweepYields = []float64{0, 0.5, 1, 2, 4, 8, 16}

// sweepReps: each point is measured this many times, in alternating order, and the medians
// reported (each measurement already alternates pgbench alone and with the backfill).
var sweepReps = 1

type sweepPoint struct {
	load                string  // the load's short name
	open                bool    // the open-loop load, where the targets are judged
	yield               float64 // STEADY_BACKFILL_YIELD
	p99Ratio, tputRatio float64 // medians over the windows of every repetition
	p99s, tputs         ratios  // each window's
	p99, baseP99        time.Duration
	rowsPerS, duty      float64 // duty: share of the time a batch was running
	failed              int
	overCapacity        string // why the point cannot be judged ("" when it can): appEffect.overCapacity
}

func benchSweep(ctx context.Context, cfg *config) ([]row, error) {
	const name = "leads_phone_whatsapp"
	b, _ := catalogfiles.ShippedBackfills().Lookup(name)
	tpl, err := sharedTemplate(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pgbenchInit(ctx, cfg, tpl); err != nil {
		return nil, err
	}
	if cfg.singleRate == 0 {
		if cfg.singleRate, err = singleUpdateRate(ctx, cfg, tpl, b); err != nil {
			return nil, err
		}
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

	type key struct {
		load  string
		yield float64
	}
	measured := map[key][]backfillMeasure{}
	started := false
	for rep := range sweepReps {
		order := slices.Clone(sweepYields)
		if rep%2 == 1 {
			slices.Reverse(order)
		}
		for _, y := range order {
			w, err := startWorker(ctx, cfg, db, "STEADY_BACKFILL_YIELD="+strconv.FormatFloat(y, 'f', -1, 64))
			if err != nil {
				return nil, err
			}
			for _, load := range ls {
				m, err := measureBackfill(ctx, cfg, w, db, name, load, !started)
				started = true
				if err != nil {
					w.stop()
					return nil, err
				}
				k := key{load.short, y}
				measured[k] = append(measured[k], m)
				log.Printf("sweep: %s, yield %g: p99 %.2f× (%.2f–%.2f×), %.0f rows/s (%.2f× the single UPDATE), batches running %.0f%% of the time",
					load.short, y, m.app.p99s.median(), m.app.p99s.lo(), m.app.p99s.hi(), m.rate, m.rate/cfg.singleRate, 100*m.duty)
			}
			w.stop()
		}
	}
	var rows []row
	cfg.sweep = nil
	for _, load := range ls {
		for _, y := range sweepYields {
			got := measured[key{load.short, y}]
			p := sweepPoint{load: load.short, open: load.open(), yield: y}
			var app appEffect
			var rates, duties []float64
			for _, m := range got {
				app.alone, app.during, app.failed = append(app.alone, m.app.alone...), append(app.during, m.app.during...), app.failed+m.app.failed
				app.aloneRates = append(app.aloneRates, m.app.aloneRates...)
				p.p99s = append(p.p99s, m.app.p99s...)
				p.tputs = append(p.tputs, m.tputs(cfg.singleRate)...)
				rates, duties = append(rates, m.rate), append(duties, m.duty)
			}
			p.p99Ratio, p.tputRatio, p.rowsPerS, p.duty, p.failed = p.p99s.median(), p.tputs.median(), medianF(rates), medianF(duties), app.failed
			p.p99, p.baseP99 = percentile(app.during, 0.99), percentile(app.alone, 0.99)
			p.overCapacity = app.overCapacity(load)
			cfg.sweep = append(cfg.sweep, p)
			rows = append(rows, sweepRow(p, cfg.singleRate))
		}
	}
	return rows, nil
}

// The targets, at steady's defaults under the open-loop load: pgbench's p99 during a backfill
// and during the index builds against pgbench alone, and the backfill's throughput meanwhile
// against the single UPDATE on an idle database.
const (
	backfillP99Target  = 1.3
	backfillTputTarget = 0.5
	indexP99Target     = 1.5
)

// sweepRow is one point: both ratios with their spreads over the windows; the default's, under
// the open-loop load, judged against both targets.
func sweepRow(p sweepPoint, single float64) row {
	label := fmt.Sprintf("yield %g", p.yield)
	switch {
	case p.yield == 0:
		label += " (full speed)"
	case p.yield == backfills.DefaultYield:
		label += " (default)"
	}
	r := row{scenario: "sweep",
		measure: fmt.Sprintf("%s: %s: pgbench p99 during the backfill vs alone (%d failed); backfill rows/s vs the single UPDATE on an idle database (batches running %.0f%% of the time)",
			p.load, label, p.failed, 100*p.duty),
		steady:   fmt.Sprintf("%s; %.0f rows/s", ms(p.p99), p.rowsPerS),
		baseline: fmt.Sprintf("%s; %.0f rows/s", ms(p.baseP99), single),
		ratio:    p.p99s.cell("windows") + " / " + p.tputs.cell("windows"),
	}
	if p.open && p.yield == backfills.DefaultYield {
		p99, tput := atMost(backfillP99Target, "0 failed"), atLeast(backfillTputTarget)
		r.target = "p99 " + p99.String() + "; throughput " + tput.String()
		r.met = verdict(p99, p.p99s, p.failed == 0 && tput.met(p.tputs, true))
		if p.overCapacity != "" {
			r.met = "not judged: " + p.overCapacity
		}
	}
	return r
}

// backfillMeasure is pgbench with and without the backfill, interleaved, and the backfill's
// pace meanwhile.
type backfillMeasure struct {
	app         appEffect // each alternate pair of windows a repetition
	rate        float64   // rows per second while it ran
	windowRates []float64 // the same in each window
	duty        float64   // share of that time a batch was running
}

// tputs is the backfill's rate in each window against base (rows/s).
func (m backfillMeasure) tputs(base float64) ratios {
	var r ratios
	for _, x := range m.windowRates {
		r = append(r, x/base)
	}
	return r
}

// Windows of the interleaved measurement: the shared machine's other load drifts over
// minutes, so pgbench alone and pgbench during the backfill are measured in alternation, a few
// seconds each, in one pgbench run.
var (
	measureCycles = 5
	measureWindow = 8 * time.Second
)

const settleAfter = time.Second // a paused slice finishes its batch in flight; a resumed one its first

// measureBackfill runs pgbench under load throughout, and the backfill (started by enqueue
// when first, else resumed) in alternate windows with pauses in between; the run is paused at
// the end.
func measureBackfill(ctx context.Context, cfg *config, w *worker, db, name string, load pgbenchLoad, first bool) (backfillMeasure, error) {
	var m backfillMeasure
	stream := startPgbench(ctx, cfg, db, load)
	fail := func(err error) (backfillMeasure, error) {
		stream.finish()
		return m, err
	}
	type window struct{ from, to time.Time }
	var off, on []window
	var rows int64
	var onTime time.Duration
	sleepCtx(ctx, pgbenchWarmup)
	for cycle := range measureCycles {
		from := time.Now()
		sleepCtx(ctx, measureWindow)
		off = append(off, window{from, time.Now()})

		before, err := readBackfillStatus(ctx, cfg, db, name)
		if err != nil {
			return fail(err)
		}
		sub := "resume"
		if first && cycle == 0 {
			sub = "enqueue"
		}
		if _, err := steadyCmd(ctx, cfg, db, "backfill", sub, name); err != nil {
			return fail(err)
		}
		// The window starts at the slice's first batch.
		var st0 backfillStatus
		err = waitFor(ctx, time.Minute, "first batch", func() (bool, error) {
			var err error
			st0, err = readBackfillStatus(ctx, cfg, db, name)
			return st0.RowsDone > before.RowsDone, err
		})
		if err != nil {
			return fail(err)
		}
		t0 := time.Now()
		sleepCtx(ctx, measureWindow)
		st1, err := readBackfillStatus(ctx, cfg, db, name)
		t1 := time.Now()
		if err != nil {
			return fail(err)
		}
		if st1.State == string(backfills.StateDone) {
			return fail(fmt.Errorf("the backfill finished during the measurement: use more rows"))
		}
		on = append(on, window{t0, t1})
		rows += st1.RowsDone - st0.RowsDone
		onTime += t1.Sub(t0)
		m.windowRates = append(m.windowRates, float64(st1.RowsDone-st0.RowsDone)/t1.Sub(t0).Seconds())
		if _, err := steadyCmd(ctx, cfg, db, "backfill", "pause", name); err != nil {
			return fail(err)
		}
		sleepCtx(ctx, settleAfter)
	}
	txs, err := stream.finish()
	if err != nil {
		return m, err
	}
	var busy float64
	for i, win := range on {
		alone, _ := between(txs, off[i].from, off[i].to)
		during, failed := between(txs, win.from, win.to)
		m.app.add(alone, during, failed, off[i].to.Sub(off[i].from).Seconds())
		busy += w.busy(win.from, win.to) * win.to.Sub(win.from).Seconds()
	}
	m.rate = float64(rows) / onTime.Seconds()
	m.duty = busy / onTime.Seconds()
	return m, nil
}

// pgbenchFor runs pgbench alone under load for d after its warm-up and returns the latencies
// of those d.
func pgbenchFor(ctx context.Context, cfg *config, db string, load pgbenchLoad, d time.Duration) ([]time.Duration, error) {
	from := time.Now().Add(pgbenchWarmup)
	txs, err := pgbenchTimed(ctx, cfg, db, load, pgbenchWarmup+d)
	if err != nil {
		return nil, err
	}
	lat, _ := between(txs, from, time.Now().Add(time.Hour))
	return lat, nil
}

// singleUpdateRate times the single UPDATE through PgBouncer on a copy of tpl (rows per second).
func singleUpdateRate(ctx context.Context, cfg *config, tpl string, b backfills.Backfill) (float64, error) {
	db, err := createDB(ctx, cfg, tpl)
	if err != nil {
		return 0, err
	}
	defer dropDB(ctx, cfg, db)
	conn, err := pgx.Connect(ctx, withDB(cfg.poolerURL, db)+"&default_query_exec_mode=simple_protocol")
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	start := time.Now()
	tag, err := conn.Exec(ctx, singleUpdate(b))
	if err != nil {
		return 0, fmt.Errorf("single UPDATE: %w", err)
	}
	rate := float64(tag.RowsAffected()) / time.Since(start).Seconds()
	log.Printf("single UPDATE: %d rows, %.0f rows/s", tag.RowsAffected(), rate)
	return rate, nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
