package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
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
			m, err := s.open(ctx, e)
			if err != nil {
				return err
			}
			defer m.Close()
			st, err := m.Status(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				if err := writeJSON(e.stdout, st); err != nil {
					return err
				}
			} else {
				tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "VERSION\tNAME\tFORMAT\tSTATE\tEVIDENCE")
				for _, mp := range st.Migrations {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mp.Version, mp.Name, mp.Format, mp.State, shortEvidence(mp.Evidence))
				}
				tw.Flush()
				if len(st.PendingLint.Findings) > 0 {
					fmt.Fprintln(e.stdout, "\nLint of the migrations to run, against this database:")
					if err := st.PendingLint.WriteText(e.stdout); err != nil {
						return err
					}
				}
			}
			return withCode(st.ExitCode())
		})
}
