package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/steadydb/steady/internal/migrate"
)

func statusCommand() *command {
	var asJSON bool
	return &command{
		name:  "status",
		args:  "[--json]",
		short: "show each migration's state and evidence; change nothing",
		long: `States: applied, reconciled (found in place, nothing run), pending (will run or be reconciled),
partial (some effects present), drift (recorded but not in place), checksum_changed. Evidence
lists what the catalog showed, including the statements the catalog cannot verify.
--json prints an array of objects with version, name, state, evidence.
Exit 0 clean, 3 pending, 4 drift / partial / checksum changed, 1 error, 2 usage.`,
		setup: func(f *flags) func(context.Context, *env, []string) error {
			s := migrateFlags(f)
			f.fs.BoolVar(&asJSON, "json", false, "print JSON")
			return func(ctx context.Context, e *env, _ []string) error {
				pools, m, err := s.open(ctx, e)
				if err != nil {
					return err
				}
				defer pools.Close()
				plan, err := m.Plan(ctx)
				if badMigrations(err) {
					return usageErr(err)
				}
				if err != nil {
					return err
				}
				if asJSON {
					if err := writeJSON(e.stdout, migrationsJSON(plan)); err != nil {
						return err
					}
				} else {
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "VERSION\tNAME\tFORMAT\tSTATE\tEVIDENCE")
					for _, mp := range plan.Migrations {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mp.Version, mp.Name, mp.Format, mp.State, shortEvidence(mp.Evidence))
					}
					tw.Flush()
				}
				return withCode(statusCode(plan))
			}
		},
	}
}

func statusCode(p *migrate.Plan) int {
	code := exitOK
	for _, mp := range p.Migrations {
		switch mp.State {
		case migrate.StateDrift, migrate.StatePartial, migrate.StateChecksumChanged:
			return exitDrift
		case migrate.StatePending:
			code = exitPending
		}
	}
	return code
}
