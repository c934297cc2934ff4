package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/demodata"
)

func demoDataCommand(c *cli) *cobra.Command {
	var scale int
	var asJSON bool
	db := &c.db
	return c.command(&cobra.Command{
		Use:   "demo-data [--scale N] [--json]",
		Short: "fill the schema with realistic synthetic data (for development, tests and benchmarks)",
		Long: fmt.Sprintf(`Loads N×%d businesses (demo-00001, …) with their users, leads, calls, threads, messages,
broadcasts, calendars, appointments, reminders and activities, about 5 400 rows per business, with
COPY through the POOLER. Every shipped backfill finds work in it. Idempotent per scale: businesses
already present are skipped, so running it again adds nothing and a larger --scale adds only the
difference. Needs the schema (steady migrate). Never point it at a production database.
--json prints scale, businesses, added_businesses, rows (per table) and duration_ms.`, demodata.BusinessesPerScale),
		Args: noArgs,
	}, []setting{
		{"scale", "", fmt.Sprintf("how much data: N×%d businesses, about %d leads and 5 400 rows per business", demodata.BusinessesPerScale, 1000),
			integer(&scale, 1, 1, 10_000)},
		{"json", "", "print the result as JSON", boolean(&asJSON, false)},
	},
		func(ctx context.Context, e *env, _ []string) error {
			db.Logger = e.log.logger
			pools, err := dbconn.Open(ctx, *db, dbconn.OpenOpts{})
			if err != nil {
				return err
			}
			defer pools.Close()
			res, err := demodata.Load(ctx, pools.Long.Pool, scale, e.log.logger)
			if err != nil {
				if errors.Is(err, context.Canceled) {
					return err
				}
				return fmt.Errorf("%w (is the schema in place? run steady migrate)", err)
			}
			if asJSON {
				return writeJSON(e.stdout, demoDataJSON{Result: res, DurationMS: res.Duration.Milliseconds()})
			}
			printDemoData(e, res)
			return nil
		})
}

// demoDataJSON is what steady demo-data --json prints.
type demoDataJSON struct {
	demodata.Result
	DurationMS int64 `json:"duration_ms"`
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
