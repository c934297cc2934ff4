package main

import (
	"context"
	"fmt"
	"log"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/backfill"
	"github.com/steadydb/steady/jobs"
)

// The sweep measures the backfill controller's main setting, STEADY_BACKFILL_YIELD, from full
// speed (0) to most polite, against pgbench: for each value, pgbench's p99 during the backfill
// against pgbench alone just before, and the backfill's rows per second meanwhile against the
// single UPDATE's (on an idle database). One run works through the table: between points it is
// paused and the worker restarted with the next value, so every point changes fresh rows.

var sweepYields = []float64{0, 0.5, 1, 2, 4, 8, 16}

// sweepReps: each point is measured this many times, in alternating order, and the medians
// reported; the machine's other load drifts over minutes.
var sweepReps = 2

type sweepPoint struct {
	yield               float64
	p99Ratio, tputRatio float64 // medians over the repetitions
	p99, baseP99        time.Duration
	rowsPerS, held      float64 // held: share of the time the slice waited
}

func benchSweep(ctx context.Context, cfg *config) ([]row, error) {
	const name = "leads_phone_whatsapp"
	b, _ := jobs.LookupBackfill(name)
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

	type sample struct{ p99Ratio, tputRatio, rowsPerS, held float64 }
	samples := map[float64][]sample{}
	var p99s, bases = map[float64][]time.Duration{}, map[float64][]time.Duration{}
	started := false
	for rep := range sweepReps {
		order := slices.Clone(sweepYields)
		if rep%2 == 1 {
			slices.Reverse(order)
		}
		for _, y := range order {
			base, err := pgbenchFor(ctx, cfg, db, 15*time.Second)
			if err != nil {
				return nil, err
			}
			w, err := startWorker(ctx, cfg, db, "STEADY_BACKFILL_YIELD="+strconv.FormatFloat(y, 'f', -1, 64))
			if err != nil {
				return nil, err
			}
			sub := "resume"
			if !started {
				sub, started = "enqueue", true
			}
			during, _, rate, held, err := sweepPointRun(ctx, cfg, db, name, sub)
			w.stop()
			if err != nil {
				return nil, err
			}
			s := sample{float64(percentile(during, 0.99)) / float64(percentile(base, 0.99)), rate / cfg.singleRate, rate, held}
			samples[y] = append(samples[y], s)
			p99s[y], bases[y] = append(p99s[y], percentile(during, 0.99)), append(bases[y], percentile(base, 0.99))
			log.Printf("sweep: yield %g: p99 %s vs %s alone (%.2f×), %.0f rows/s (%.2f× the single UPDATE), held back %.0f%%",
				y, ms(percentile(during, 0.99)), ms(percentile(base, 0.99)), s.p99Ratio, rate, s.tputRatio, 100*held)
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
			held: med(func(s sample) float64 { return s.held }), p99: median(p99s[y]), baseP99: median(bases[y])}
		cfg.sweep = append(cfg.sweep, p)
		label := fmt.Sprintf("yield %g", y)
		switch {
		case y == 0:
			label += " (full speed)"
		case y == backfill.DefaultYield:
			label += " (default)"
		}
		rows = append(rows, row{"sweep", fmt.Sprintf("%s: pgbench p99 during the backfill vs alone; backfill rows/s vs the single UPDATE (held back %.0f%% of the time)", label, 100*p.held),
			fmt.Sprintf("%s; %.0f rows/s", ms(p.p99), p.rowsPerS), fmt.Sprintf("%s; %.0f rows/s", ms(p.baseP99), cfg.singleRate),
			fmt.Sprintf("%.2f× / %.2f×", p.p99Ratio, p.tputRatio), "default: p99 ≤ 1.5×, throughput ≥ 0.5× idle"})
	}
	return rows, nil
}

// sweepPointRun starts (enqueue) or resumes the run, lets the controller settle, measures
// pgbench and the backfill's rate for 20 s, then pauses the run.
func sweepPointRun(ctx context.Context, cfg *config, db, name, sub string) (during []time.Duration, failed int, rate, held float64, err error) {
	if _, err := steadyCmd(ctx, cfg, db, "backfill", sub, name); err != nil {
		return nil, 0, 0, 0, err
	}
	defer func() { _, _ = steadyCmd(context.WithoutCancel(ctx), cfg, db, "backfill", "pause", name) }()
	st0, err := readBackfillStatus(ctx, cfg, db, name)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	// The first batch of this point, then a few seconds for the sizer and the pace to settle
	// under pgbench.
	stream := startPgbench(ctx, cfg, db)
	err = waitFor(ctx, time.Minute, "first batch", func() (bool, error) {
		st, err := readBackfillStatus(ctx, cfg, db, name)
		return st.RowsDone > st0.RowsDone, err
	})
	if err != nil {
		stream.finish()
		return nil, 0, 0, 0, err
	}
	sleepCtx(ctx, 5*time.Second)
	st1, err := readBackfillStatus(ctx, cfg, db, name)
	t1 := time.Now()
	if err != nil {
		stream.finish()
		return nil, 0, 0, 0, err
	}
	sleepCtx(ctx, 20*time.Second)
	st2, err := readBackfillStatus(ctx, cfg, db, name)
	t2 := time.Now()
	txs, serr := stream.finish()
	if err = cmpErr(err, serr); err != nil {
		return nil, 0, 0, 0, err
	}
	if st2.State == string(backfill.StateDone) {
		return nil, 0, 0, 0, fmt.Errorf("the backfill finished during the measurement: use more rows")
	}
	rate = float64(st2.RowsDone-st1.RowsDone) / t2.Sub(t1).Seconds()
	for _, s := range st2.ThrottledSeconds {
		held += s
	}
	for _, s := range st1.ThrottledSeconds {
		held -= s
	}
	during, failed = between(txs, t1, t2)
	return during, failed, rate, min(max(held/t2.Sub(t1).Seconds(), 0), 1), nil
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
func singleUpdateRate(ctx context.Context, cfg *config, tpl string, b jobs.Backfill) (float64, error) {
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
