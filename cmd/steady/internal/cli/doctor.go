package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/internal/redact"
	"github.com/steadydb/steady/internal/tuning"
)

func doctorCommand(c *cli) *cobra.Command {
	var asJSON bool
	var parallel int
	cfg := &c.db
	return c.command(&cobra.Command{
		Use:   "doctor [--json]",
		Short: "check the connections the way a migration run resolves them",
		Long: `Resolves the connections exactly as a migration run would (DIRECT probed once, then locked),
prints the decision, each role's redacted URL, server version, pool mode and round-trip time.
For each role it shows the pool mode in force (direct, session or transaction), the POOLER's
setting (--pooler-mode / STEADY_POOLER_MODE: auto, transaction, session), what detection
concluded and its evidence: two client connections on one backend pid mean a transaction pooler;
only a direct server's every sign means direct; anything uncertain is taken as transaction. A
setting the evidence contradicts is a WARNING (exit code unchanged). For each role it shows what
it reaches (database and oid; the server's start time, port, address and, where the role may
read pg_control_system(), system identifier; HOT STANDBY or READ-ONLY), then whether DIRECT and
POOLER reach the same database, and REFUSED where migrate, status and worker would exit 2.
Exit 0 when POOLER and the locked migration role answer, 1 when not, 2 when they answer but
would be refused (no worker running is not an error here).
Then the workers: those alive (since when, last heartbeat, by the server's clock) and those that
died within the last day; then the settings that make index builds and backfills slow the
application (max_parallel_maintenance_workers, maintenance_work_mem, statement_timeout as the
POOLER role sees them, and whether that role sees other roles' sessions), each with what to run
(a setting to fix is a warning, not a failure).`,
		Args: noArgs,
	}, []setting{
		{"json", "", "print JSON", boolean(&asJSON, false)},
		{"index-parallel-workers", "STEADY_INDEX_PARALLEL_WORKERS", "as the worker's: whether its builds override max_parallel_maintenance_workers",
			integer(&parallel, 0, -1, 1024)},
	},
		func(ctx context.Context, e *env, _ []string) error {
			cfg.Logger = e.log.logger
			rep, err := dbconn.Diagnose(ctx, *cfg)
			if err != nil {
				return err
			}
			var workers *workersJSON
			var census liveness.Census
			if rep.Pooler.Reachable {
				census, err = readWorkers(ctx, *cfg)
				workers = toWorkersJSON(census)
				if err != nil {
					workers = &workersJSON{Error: redact.Error(err)}
				}
			}
			settings, failed := doctorSettings(ctx, e, *cfg, rep, parallel)
			if asJSON {
				if err := writeJSON(e.stdout, doctorJSON{Report: rep, Workers: workers, Settings: settings}); err != nil {
					return err
				}
			} else {
				printDoctor(e, rep)
				switch {
				case workers == nil:
				case workers.Error != "":
					fmt.Fprintln(e.stdout, "workers: could not read them:", workers.Error)
				default:
					printWorkers(e.stdout, census)
				}
				printDoctorSettings(e, settings, failed)
			}
			if !rep.OK() {
				return withCode(exitFailure)
			}
			if rep.Refused != "" {
				return usageErr(errors.New(rep.Refused))
			}
			return nil
		})
}

// doctorJSON is what steady doctor --json prints.
type doctorJSON struct {
	dbconn.Report
	Workers  *workersJSON     `json:"workers,omitempty"`
	Settings []tuning.Finding `json:"settings"`
}

func printDoctor(e *env, rep dbconn.Report) {
	fmt.Fprintf(e.stdout, "migration role: %s (probe %.1fms)", rep.MigrationRole, rep.ProbeMS)
	if rep.Reason != "" {
		fmt.Fprintf(e.stdout, " (DIRECT unavailable: %s)", rep.Reason)
	}
	fmt.Fprintln(e.stdout)
	for _, r := range []struct {
		name string
		rep  dbconn.RoleReport
	}{{"DIRECT", rep.Direct}, {"POOLER", rep.Pooler}} {
		switch {
		case r.rep.URL == "":
			fmt.Fprintf(e.stdout, "%-7s not configured\n", r.name)
		case r.rep.Reachable:
			fmt.Fprintf(e.stdout, "%-7s %s  reachable  PostgreSQL %s  pool_mode=%s  round_trip=%.2fms\n",
				r.name, r.rep.URL, r.rep.ServerVersion, r.rep.PoolMode, r.rep.RoundTripMS)
			printReached(e, r.rep)
			printPoolMode(e, r.rep)
		default:
			fmt.Fprintf(e.stdout, "%-7s %s  UNREACHABLE  %s\n", r.name, r.rep.URL, r.rep.Error)
		}
	}
	if c := rep.Comparison; c != nil {
		if c.SameDatabase {
			fmt.Fprintf(e.stdout, "DIRECT and POOLER: same database %s (oid %d) on one server\n",
				rep.Pooler.Identity.Database, rep.Pooler.Identity.DatabaseOID)
		} else {
			fmt.Fprintln(e.stdout, "DIRECT and POOLER: DIFFERENT")
			for _, d := range c.Differences {
				fmt.Fprintf(e.stdout, "        %s\n", d)
			}
		}
	}
	if rep.Refused != "" {
		fmt.Fprintf(e.stdout, "REFUSED: migrate, status and worker exit 2 and write nothing: %s\n", rep.Refused)
	}
}

// printReached says which database of which server a role reaches, and why it cannot write.
func printReached(e *env, rep dbconn.RoleReport) {
	id := rep.Identity
	if id == nil {
		return
	}
	line := fmt.Sprintf("        reaches: database %s (oid %d) on the server started %s, port %d", id.Database, id.DatabaseOID,
		id.StartedAt.UTC().Format(time.RFC3339Nano), id.Port)
	if id.Addr != "" {
		line += ", address " + id.Addr
	}
	if id.SystemID != "" {
		line += ", system " + id.SystemID
	}
	fmt.Fprintln(e.stdout, line)
	switch {
	case id.InRecovery:
		fmt.Fprintf(e.stdout, "        HOT STANDBY: %s\n", rep.ReadOnly)
	case rep.ReadOnly != "":
		fmt.Fprintf(e.stdout, "        READ-ONLY: %s\n", rep.ReadOnly)
	}
}

// printPoolMode explains the mode in force: the setting, what detection saw, any contradiction.
func printPoolMode(e *env, rep dbconn.RoleReport) {
	const indent = "        "
	line := indent + "pool mode in force: " + string(rep.PoolMode)
	if rep.PoolModeSetting != "" {
		line += fmt.Sprintf(" (setting %s)", rep.PoolModeSetting)
	}
	fmt.Fprintln(e.stdout, line)
	if d := rep.Detected; d != nil {
		how := "shown"
		if !d.Positive {
			how = "assumed, no positive evidence"
		}
		fmt.Fprintf(e.stdout, "%sdetected: %s (%s): %s\n", indent, d.Mode, how, d.Evidence)
	}
	if rep.Warning != "" {
		fmt.Fprintf(e.stdout, "%sWARNING: %s\n", indent, rep.Warning)
	}
}
