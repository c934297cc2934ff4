package main

import (
	"context"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
)

func statusCommand(c *cli) *cobra.Command {
	var asJSON bool
	s := newMigrateSettings(c)
	return c.command(&cobra.Command{
		Use:   "status [--json]",
		Short: "show each migration's state and evidence; change nothing",
		Long: `States: applied, reconciled (found in place, nothing run), pending (will run or be reconciled),
partial (some effects present), drift (recorded but not in place), checksum_changed. Evidence
lists what the catalog showed, including the statements the catalog cannot verify.
Lint: the findings of the migrations to run, judged against this database (steady help lint),
and in a recorded migration's evidence the findings it ran with (migrate without --strict).
--json prints an array of objects with version, name, state, evidence and, for a migration to
run, lint.
Exit 0 clean, 3 pending, 4 drift / partial / checksum changed, 1 error, 2 usage (also when
DIRECT and POOLER reach different databases, or the POOLER a standby: nothing is read).`,
		Args: noArgs,
	}, append(s.settings(), setting{"json", "", "print JSON", boolean(&asJSON, false)}),
		func(ctx context.Context, e *env, _ []string) error {
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
			if err := recordedLint(ctx, pools.Migration.Pool, pools.Schema, plan); err != nil {
				return err
			}
			l, _ := s.lint.linter(s.dir == "") // validated by open
			findings := lintPending(l, plan)
			if asJSON {
				if err := writeJSON(e.stdout, migrationsJSON(plan, findings)); err != nil {
					return err
				}
			} else {
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "VERSION\tNAME\tFORMAT\tSTATE\tEVIDENCE")
				for _, mp := range plan.Migrations {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mp.Version, mp.Name, mp.Format, mp.State, shortEvidence(mp.Evidence))
				}
				tw.Flush()
				if len(findings.report.Findings) > 0 {
					fmt.Fprintln(e.stdout, "\nLint of the migrations to run, against this database:")
					if err := findings.report.WriteText(e.stdout); err != nil {
						return err
					}
				}
			}
			return withCode(statusCode(plan))
		})
}

// recordedLint puts back in the evidence of each recorded migration the lint findings it ran
// with, which the run stored in schema_migrations (the plan verifies the catalog afresh).
func recordedLint(ctx context.Context, pool *pgxpool.Pool, schema bookkeeping.Schema, plan *migrate.Plan) error {
	t, ok := plan.Snapshot().Table(schema.Name(), "schema_migrations")
	if !ok || !slices.ContainsFunc(t.Columns, func(c catalog.Column) bool { return c.Name == "evidence" }) {
		return nil
	}
	rows, err := pool.Query(ctx, schema.SQL("SELECT version::text, evidence -> 'lint' FROM schema_migrations WHERE evidence -> 'lint' IS NOT NULL"))
	if err != nil {
		return fmt.Errorf("read lint evidence: %w", err)
	}
	stored := map[migfiles.Version][]string{}
	for rows.Next() {
		var v string
		var findings []string
		if err := rows.Scan(&v, &findings); err != nil {
			return fmt.Errorf("read lint evidence: %w", err)
		}
		if pv, err := migfiles.ParseVersion(v); err == nil {
			stored[pv] = findings
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read lint evidence: %w", err)
	}
	for i := range plan.Migrations {
		mp := &plan.Migrations[i]
		if mp.Action == migrate.ActionNone {
			mp.Evidence.Lint = stored[mp.Version]
		}
	}
	return nil
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
