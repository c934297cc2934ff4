package main

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"
)

// The application is pgbench (TPC-B-like, scale 10, through PgBouncer) under two loads:
//
//   - open loop at openLoopShare of its maximum rate: transactions arrive on a schedule
//     (pgbench --rate), as requests do in production, and leave headroom; a transaction's
//     latency includes the time it waited for its turn (pgbench's schedule lag), so a
//     transaction delayed by steady's work is counted as late even when the server catches up
//     afterwards. The targets are judged here.
//   - saturation: closed loop with as many clients as the machine has cores, which keeps both
//     cores busy, so that any other work shows in the tail; kept as a stress row, no target.
//
// The maximum rate is pgbench's own, closed loop and alone, on the scenario's database just
// before it is used: the shared machine's capacity drifts over minutes.

const openLoopShare = 0.5

// saturation is closed-loop pgbench, 4 clients.
var saturation = pgbenchLoad{name: "saturation (closed loop, 4 clients)", short: "saturation", clients: 4}

// openLoop measures pgbench's maximum rate on db and returns the open-loop load at
// openLoopShare of it.
func openLoop(ctx context.Context, cfg *config, db string) (pgbenchLoad, error) {
	const calibrate = 10 * time.Second
	txs, err := pgbenchTimed(ctx, cfg, db, saturation, calibrate)
	if err != nil {
		return pgbenchLoad{}, err
	}
	ok := 0
	for _, t := range txs {
		if !t.failed {
			ok++
		}
	}
	maxRate := float64(ok) / calibrate.Seconds()
	rate := openLoopShare * maxRate
	log.Printf("pgbench's maximum rate alone: %.0f tx/s; open loop at %.0f tx/s", maxRate, rate)
	return pgbenchLoad{name: fmt.Sprintf("open loop at %.0f%% of the maximum rate (%.0f of %.0f tx/s)", 100*openLoopShare, rate, maxRate),
		short: fmt.Sprintf("open loop %.0f%%", 100*openLoopShare), clients: 4, rate: rate, maxRate: maxRate}, nil
}

// loads are the loads a scenario measures, open loop first: its rows come first.
func loads(ctx context.Context, cfg *config, db string) ([]pgbenchLoad, error) {
	open, err := openLoop(ctx, cfg, db)
	if err != nil {
		return nil, err
	}
	return []pgbenchLoad{open, saturation}, nil
}

func (l pgbenchLoad) open() bool { return l.rate > 0 }

// appEffect is pgbench during steady's work against pgbench alone, with the ratios of each
// repetition (alternate windows, or runs).
type appEffect struct {
	alone, during []time.Duration
	failed        int
	p99s, p50s    ratios
	aloneRates    []float64 // transactions per second pgbench completed alone, per repetition
}

// add folds one repetition in: alone is what pgbench did in aloneSeconds by itself.
func (e *appEffect) add(alone, during []time.Duration, failed int, aloneSeconds float64) {
	e.alone, e.during, e.failed = append(e.alone, alone...), append(e.during, during...), e.failed+failed
	if aloneSeconds > 0 {
		e.aloneRates = append(e.aloneRates, float64(len(alone))/aloneSeconds)
	}
	if len(alone) > 0 && len(during) > 0 {
		e.p99s = append(e.p99s, float64(percentile(during, 0.99))/float64(percentile(alone, 0.99)))
		e.p50s = append(e.p50s, float64(percentile(during, 0.5))/float64(percentile(alone, 0.5)))
	}
}

// late is the share of transactions that took more than twice pgbench's p99 alone: what a
// user of the application notices, however the percentiles move.
func (e appEffect) late() (during, alone float64, bound time.Duration) {
	bound = 2 * percentile(e.alone, 0.99)
	share := func(lat []time.Duration) float64 {
		n := 0
		for _, l := range lat {
			if l > bound {
				n++
			}
		}
		return float64(n) / float64(len(lat))
	}
	return share(e.during), share(e.alone), bound
}

// overCapacity says why an open-loop comparison cannot be judged: pgbench alone completed less
// than 90% of the rate it was given in some repetition, so the machine (shared, its capacity
// moving) was slower than when the rate was calibrated, and the latencies are pgbench's own
// backlog, not the effect of steady's work. "" when it kept its rate, and for a closed loop.
func (e appEffect) overCapacity(load pgbenchLoad) string {
	if !load.open() || len(e.aloneRates) == 0 {
		return ""
	}
	kept := slices.Min(e.aloneRates) / load.rate
	if kept >= 0.9 {
		return ""
	}
	return fmt.Sprintf("pgbench alone kept %.0f%% of its %.0f tx/s (the machine slowed since the rate was measured)", 100*kept, load.rate)
}

// appRows are the rows of one comparison: p99 (judged against t), p50, and the late share.
func appRows(scenario string, load pgbenchLoad, what, runs string, e appEffect, t *target) []row {
	if len(e.alone) == 0 || len(e.during) == 0 {
		return []row{{scenario: scenario, measure: fmt.Sprintf("%s: pgbench %s: no transactions", load.short, what)}}
	}
	b99, d99 := percentile(e.alone, 0.99), percentile(e.during, 0.99)
	b50, d50 := percentile(e.alone, 0.5), percentile(e.during, 0.5)
	lateDuring, lateAlone, bound := e.late()
	log.Printf("pgbench %s, %s: %d transactions, p50 %s p99 %s; alone %s / %s; later than %s: %.2f%% vs %.2f%%",
		load.short, what, len(e.during), ms(d50), ms(d99), ms(b50), ms(b99), ms(bound), 100*lateDuring, 100*lateAlone)
	p99 := ratioRow(scenario, fmt.Sprintf("%s: pgbench p99 %s vs alone (%d tx, %d failed)", load.short, what, len(e.during), e.failed),
		ms(d99), ms(b99), e.p99s, runs, t, e.failed == 0)
	if why := e.overCapacity(load); why != "" && t != nil {
		p99.met = "not judged: " + why
	}
	return []row{
		p99,
		ratioRow(scenario, fmt.Sprintf("%s: … p50 vs alone", load.short), ms(d50), ms(b50), e.p50s, runs, nil, true),
		{scenario: scenario, measure: fmt.Sprintf("%s: … transactions later than 2× the p99 alone (%s)", load.short, ms(bound)),
			steady: fmt.Sprintf("%.2f%%", 100*lateDuring), baseline: fmt.Sprintf("%.2f%%", 100*lateAlone)},
	}
}
