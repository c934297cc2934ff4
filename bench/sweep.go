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
	yield               float64
	p99Ratio, tputRatio float64 // medians over the repetitions
	p99, baseP99        time.Duration
	rowsPerS, duty      float64 // duty: share of the time a batch was running
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

	type sample struct{ p99Ratio, tputRatio, rowsPerS, duty float64 }
	samples := map[float64][]sample{}
	var p99s, bases = map[float64][]time.Duration{}, map[float64][]time.Duration{}
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
			m, err := measureBackfill(ctx, cfg, w, db, name, !started)
			started = true
			w.stop()
			if err != nil {
				return nil, err
			}
			base, during, rate, duty := m.alone, m.during, m.rate, m.duty
			s := sample{float64(percentile(during, 0.99)) / float64(percentile(base, 0.99)), rate / cfg.singleRate, rate, duty}
			samples[y] = append(samples[y], s)
			p99s[y], bases[y] = append(p99s[y], percentile(during, 0.99)), append(bases[y], percentile(base, 0.99))
			log.Printf("sweep: yield %g: p99 %s vs %s alone (%.2f×), %.0f rows/s (%.2f× the single UPDATE), batches running %.0f%% of the time",
				y, ms(percentile(during, 0.99)), ms(percentile(base, 0.99)), s.p99Ratio, rate, s.tputRatio, 100*duty)
		}
	}
	var rows []row
	cfg.sweep = nil
	for _, y := range sweepYields {
		ss := samples[y]
		med := func(f func(sample) float64) float64 {
			v := make([]float64, len(ss))
			for i, s := range ss {
				v[i] = f(s)
			}
			return medianF(v)
		}
		p := sweepPoint{yield: y, p99Ratio: med(func(s sample) float64 { return s.p99Ratio }),
			tputRatio: med(func(s sample) float64 { return s.tputRatio }), rowsPerS: med(func(s sample) float64 { return s.rowsPerS }),
			duty: med(func(s sample) float64 { return s.duty }), p99: median(p99s[y]), baseP99: median(bases[y])}
		cfg.sweep = append(cfg.sweep, p)
		label := fmt.Sprintf("yield %g", y)
		switch {
		case y == 0:
			label += " (full speed)"
		case y == backfills.DefaultYield:
			label += " (default)"
		}
		rows = append(rows, row{"sweep", fmt.Sprintf("%s: pgbench p99 during the backfill vs alone; backfill rows/s vs the single UPDATE (batches running %.0f%% of the time)", label, 100*p.duty),
			fmt.Sprintf("%s; %.0f rows/s", ms(p.p99), p.rowsPerS), fmt.Sprintf("%s; %.0f rows/s", ms(p.baseP99), cfg.singleRate),
			fmt.Sprintf("%.2f× / %.2f×", p.p99Ratio, p.tputRatio), "default: p99 ≤ 1.5×, throughput ≥ 0.5× idle"})
	}
	return rows, nil
}

// backfillMeasure is pgbench with and without the backfill, interleaved, and the backfill's
// pace meanwhile.
type backfillMeasure struct {
	alone, during []time.Duration
	failed        int     // pgbench transactions that failed while the backfill ran
	rate          float64 // rows per second while it ran
	duty          float64 // share of that time a batch was running
}

// Windows of the interleaved measurement: the shared machine's other load drifts over
// minutes, so pgbench alone and pgbench during the backfill are measured in alternation, a few
// seconds each, in one pgbench run.
var (
	measureCycles = 5
	measureWindow = 8 * time.Second
)

const settleAfter = time.Second // a paused slice finishes its batch in flight; a resumed one its first

// measureBackfill runs pgbench throughout, and the backfill (started by enqueue when first,
// else resumed) in alternate windows with pauses in between; the run is paused at the end.
func measureBackfill(ctx context.Context, cfg *config, w *worker, db, name string, first bool) (backfillMeasure, error) {
	var m backfillMeasure
	stream := startPgbench(ctx, cfg, db)
	fail := func(err error) (backfillMeasure, error) {
		stream.finish()
		return m, err
	}
	type window struct{ from, to time.Time }
	var off, on []window
	var rows int64
	var onTime time.Duration
	sleepCtx(ctx, settleAfter)
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
		if _, err := steadyCmd(ctx, cfg, db, "backfill", "pause", name); err != nil {
			return fail(err)
		}
		sleepCtx(ctx, settleAfter)
	}
	txs, err := stream.finish()
	if err != nil {
		return m, err
	}
	for _, win := range off {
		lat, _ := between(txs, win.from, win.to)
		m.alone = append(m.alone, lat...)
	}
	var busy float64
	for _, win := range on {
		lat, failed := between(txs, win.from, win.to)
		m.during, m.failed = append(m.during, lat...), m.failed+failed
		busy += w.busy(win.from, win.to) * win.to.Sub(win.from).Seconds()
	}
	m.rate = float64(rows) / onTime.Seconds()
	m.duty = busy / onTime.Seconds()
	return m, nil
}

// pgbenchFor runs pgbench alone for d and returns its latencies.
func pgbenchFor(ctx context.Context, cfg *config, db string, d time.Duration) ([]time.Duration, error) {
	txs, err := pgbenchTimed(ctx, cfg, db, pgbenchLoad{name: "closed loop", clients: 4}, d)
	if err != nil {
		return nil, err
	}
	lat, _ := between(txs, time.Time{}, time.Now().Add(time.Hour))
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
