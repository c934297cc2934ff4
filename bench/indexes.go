package main

import (
	"context"
	"fmt"
	"log"
	"time"
)

// benchIndexes compares the index build alternatives in alternation: one database copy each,
// and the catalog dropped and built again on each in turn, reps times, each build with its own
// baseline just before. The online scenario builds each once; on a shared machine whose other
// load drifts over minutes, alternating them is what makes their ratios comparable.
func benchIndexes(ctx context.Context, cfg *config) ([]row, error) {
	const reps = 3
	tpl, err := sharedTemplate(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pgbenchInit(ctx, cfg, tpl); err != nil {
		return nil, err
	}
	dbs := make([]string, len(indexAlternatives))
	for i := range dbs {
		if dbs[i], err = createDB(ctx, cfg, tpl); err != nil {
			return nil, err
		}
		defer dropDB(context.WithoutCancel(ctx), cfg, dbs[i])
	}
	type sample struct {
		p99Ratio, p50Ratio float64
		took               time.Duration
		failed             int
	}
	samples := make([][]sample, len(indexAlternatives))
	for rep := range reps {
		for i, alt := range indexAlternatives {
			base, during, failed, took, err := onlineIndexBuilds(ctx, cfg, dbs[i], alt.setup, alt.env)
			if err != nil {
				return nil, err
			}
			s := sample{float64(percentile(during, 0.99)) / float64(percentile(base, 0.99)),
				float64(percentile(during, 0.5)) / float64(percentile(base, 0.5)), took, failed}
			samples[i] = append(samples[i], s)
			log.Printf("indexes %d: %s: p99 %s vs %s alone (%.2f×), built in %.0f s", rep+1, alt.name,
				ms(percentile(during, 0.99)), ms(percentile(base, 0.99)), s.p99Ratio, took.Seconds())
		}
	}
	var rows []row
	for i, alt := range indexAlternatives {
		var p99s, p50s []float64
		var tooks []time.Duration
		failed := 0
		for _, s := range samples[i] {
			p99s, p50s, tooks, failed = append(p99s, s.p99Ratio), append(p50s, s.p50Ratio), append(tooks, s.took), failed+s.failed
		}
		rows = append(rows, row{"indexes", fmt.Sprintf("%s: pgbench p99 / p50 during the catalog's builds vs alone just before (median of %d, alternated; %d failed); time to build", alt.name, reps, failed),
			fmt.Sprintf("%.1f s", median(tooks).Seconds()), "", fmt.Sprintf("%.2f× / %.2f×", medianF(p99s), medianF(p50s)), "p99 ≤ 2×"})
	}
	return rows, nil
}
