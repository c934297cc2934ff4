package main

import (
	"context"
	"fmt"
)

// benchIndexes compares the index build alternatives in alternation, under the open-loop load
// (where the target is judged): one database copy each, and the catalog dropped and built again
// on each in turn, reps times, each build with its own baseline just before. The online
// scenario builds steady's default only; on a shared machine whose other load drifts over
// minutes, alternating them is what makes their ratios comparable.
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
	load, err := openLoop(ctx, cfg, dbs[0])
	if err != nil {
		return nil, err
	}
	measured := make([]indexMeasure, len(indexAlternatives))
	for range reps {
		for i, alt := range indexAlternatives {
			if err := onlineIndexBuilds(ctx, cfg, dbs[i], load, alt, &measured[i]); err != nil {
				return nil, err
			}
		}
	}
	var rows []row
	for i, alt := range indexAlternatives {
		m := measured[i]
		rows = append(rows, appRows("indexes", load, fmt.Sprintf("during the catalog's builds, %s (alternated)", alt.name), "runs", m.app,
			atMost(indexP99Target, "0 failed"))...)
		rows = append(rows, row{scenario: "indexes", measure: fmt.Sprintf("%s: … time to build (%s)", load.short, alt.name),
			steady: fmt.Sprintf("%.1f s", median(m.took).Seconds()), baseline: secondsList(m.took)})
	}
	return rows, nil
}
