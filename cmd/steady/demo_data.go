package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/demodata"
)

func demoDataCommand() *command {
	var scale int
	var asJSON bool
	return &command{
		name:  "demo-data",
		args:  "[--scale N] [--json]",
		short: "fill the schema with realistic synthetic data (for development, tests and benchmarks)",
		long: fmt.Sprintf(`Loads N×%d businesses (demo-00001, …) with their users, leads, calls, threads, messages,
broadcasts, calendars, appointments, reminders and activities, about 5 400 rows per business, with
COPY through the POOLER. Every shipped backfill finds work in it. Idempotent per scale: businesses
already present are skipped, so running it again adds nothing and a larger --scale adds only the
difference. Needs the schema (steady migrate). Never point it at a production database.
--json prints scale, businesses, added_businesses, rows (per table) and duration_ms.`, demodata.BusinessesPerScale),
		setup: func(f *flags) func(context.Context, *env, []string) error {
			db := dbFlags(f)
			f.fs.IntVar(&scale, "scale", 1, fmt.Sprintf("how much data: N×%d businesses, about %d leads and 5 400 rows per business", demodata.BusinessesPerScale, 1000))
			f.fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usageErr(fmt.Errorf("unexpected argument %q", args[0]))
				}
				if scale < 1 {
					return usageErr(fmt.Errorf("--scale %d: want 1 or more", scale))
				}
				db.Logger = e.log.logger
				pools, err := dbconn.Open(ctx, *db, dbconn.OpenOpts{})
				if err != nil {
					return err
				}
				defer pools.Close()
				res, err := demodata.Load(ctx, pools.Pooler.Pool, scale, e.log.logger)
				if err != nil {
					if errors.Is(err, context.Canceled) {
						return err
					}
					return fmt.Errorf("%w (is the schema in place? run steady migrate)", err)
				}
				if asJSON {
					return writeJSON(e.stdout, struct {
						demodata.Result
						DurationMS int64 `json:"duration_ms"`
					}{res, res.Duration.Milliseconds()})
				}
				printDemoData(e, res)
				return nil
			}
		},
	}
}

func printDemoData(e *env, res demodata.Result) {
	if res.Added == 0 {
		fmt.Fprintf(e.stdout, "demo data scale %d: already loaded (%d businesses); nothing added\n", res.Scale, res.Businesses)
		return
	}
	names := make([]string, 0, len(res.Rows))
	var total int64
	for t, n := range res.Rows {
		names = append(names, t)
		total += n
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, t := range names {
		parts[i] = fmt.Sprintf("%s %d", t, res.Rows[t])
	}
	fmt.Fprintf(e.stdout, "demo data scale %d: added %d businesses, %d rows in %s (%s)\n",
		res.Scale, res.Added, total, res.Duration.Round(1e6), strings.Join(parts, ", "))
}
