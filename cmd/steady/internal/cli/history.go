package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/historyverify"
	"github.com/steadydb/steady/internal/migfiles"
)

func historyCommand(c *cli) *cobra.Command {
	cmd := c.command(&cobra.Command{
		Use:   "history verify [--migrations-dir DIR] [--prefixes all|N,M,…] [--json]",
		Short: "check, before trusting steady, that it adopts a history at every point of it",
		Long: `  verify    on a server where steady may create databases (make devdb gives one), for every
            prefix k of the history: apply files 1..k as the history's own tool would (its
            transaction rules), then adopt the database with steady in three cases (no history
            table; the tool's history table as the tool writes it; that table with one row
            deleted), and compare the schema with the whole history's, as PostgreSQL prints
            both. Prints, per case, how many prefixes converged and the reason for each that
            did not. Exit 0 when every prefix converged, 1 when one did not, 2 bad input.`,
	}, nil, func(_ context.Context, _ *env, args []string) error {
		if len(args) == 0 {
			return usageErr(errors.New("history: want a subcommand: verify"))
		}
		return usageErr(fmt.Errorf("history: unknown subcommand %q (want verify)", args[0]))
	})
	s := newMigrateSettings(c)
	var prefixes string
	var parallel int
	var asJSON bool
	cmd.AddCommand(c.command(&cobra.Command{
		Use:   "verify [--migrations-dir DIR] [--migrations-format F] [--shadow-setup FILE] [--prefixes all|N,M,…] [--json]",
		Short: "adopt the history at every prefix on throwaway databases and compare each with the whole history",
		Long: `Needs a role that may CREATE DATABASE on the server DIRECT (or, without DIRECT, the POOLER)
reaches: every database it makes is dropped when its prefix is done. A prefix converges when
steady's adoption ends without an error or drift, leaves exactly the schema the whole history
makes (steady's, River's and the tools' own tables left out), and a second run applies
nothing. Objects a platform provides before the first migration go in --shadow-setup: they
are applied to every database first. Exit 0 all converged, 1 not all, 2 bad input.`,
		Args: noArgs,
	}, append(s.settings(),
		setting{"prefixes", "", "the prefixes to try: all (0 to the number of files), or a list such as 0,10,57", text(&prefixes, "all")},
		setting{"parallel", "", "prefixes adopted at once", integer(&parallel, 2, 1, 32)},
		setting{"json", "", "print JSON", boolean(&asJSON, false)},
	), func(ctx context.Context, e *env, _ []string) error {
		return verifyHistory(ctx, e, s, prefixes, parallel, asJSON)
	}))
	return cmd
}

func verifyHistory(ctx context.Context, e *env, s *migrateSettings, prefixes string, parallel int, asJSON bool) error {
	src, err := s.source()
	if err != nil {
		return err
	}
	format, err := s.migrationsFormat()
	if err != nil {
		return err
	}
	sh, err := s.shadowSettings()
	if err != nil {
		return err
	}
	ks, err := parsePrefixes(prefixes)
	if err != nil {
		return usageErr(err)
	}
	if _, err := migfiles.ListFormat(src, format); err != nil {
		return usageErr(err)
	}
	s.db.Logger = e.log.logger
	pools, err := dbconn.Open(ctx, *s.db, dbconn.OpenOpts{Migrate: true})
	if err != nil {
		return err
	}
	defer pools.Close()
	rep, err := historyverify.Run(ctx, historyverify.Config{
		Server: pools.Migration, Migrations: src, Format: format, Setup: sh.Setup, SetupFile: sh.SetupFile,
		Schema: pools.Schema.Name(), Prefixes: ks, Parallel: parallel, NoShadow: sh.Off,
	})
	if badMigrations(err) {
		return usageErr(err)
	}
	if err != nil {
		return err
	}
	if asJSON {
		err = writeJSON(e.stdout, rep)
	} else {
		err = printVerify(e.stdout, rep)
	}
	if err != nil {
		return err
	}
	if !rep.AllConverged() {
		return withCode(exitFailure)
	}
	return nil
}

// parsePrefixes reads "all" (nil) or a list of prefixes.
func parsePrefixes(s string) ([]int, error) {
	if strings.TrimSpace(s) == "all" {
		return nil, nil
	}
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || k < 0 {
			return nil, fmt.Errorf("--prefixes=%q: want all, or prefixes (0 and up) separated by commas", s)
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func printVerify(w io.Writer, rep *historyverify.Report) error {
	fmt.Fprintf(w, "history: %d files (%s), verified in %.1fs\n", rep.Files, rep.Format, float64(rep.DurationMS)/1000)
	counts := rep.Converged()
	for _, c := range []historyverify.Case{historyverify.CaseNoHistory, historyverify.CaseToolHistory, historyverify.CaseRowLost} {
		if n, ok := counts[c]; ok {
			more := ""
			if n.Undecidable > 0 {
				more = fmt.Sprintf("; %d more undecidable (below)", n.Undecidable)
			}
			fmt.Fprintf(w, "%-16s converged %d of %d prefixes%s\n", c, n.Converged, n.Tried, more)
		}
	}
	for _, section := range []struct {
		title       string
		undecidable bool
	}{
		{"Prefixes that did not converge:", false},
		{"Undecidable prefixes (the last file only changes data, nothing records it, and it is not safe to run twice):", true},
	} {
		var rows []historyverify.Outcome
		for _, o := range rep.Outcomes {
			if !o.Converged && o.Undecidable == section.undecidable {
				rows = append(rows, o)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintln(w, "\n"+section.title)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PREFIX\tAFTER\tCASE\tJUDGE\tREASON")
		for _, o := range rows {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", o.Prefix, o.After, o.Case, o.Judge, strings.ReplaceAll(o.Reason, "\n", " "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
