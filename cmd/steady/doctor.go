package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/tuning"
)

func doctorCommand() *command {
	var asJSON bool
	return &command{
		name:  "doctor",
		args:  "[--json]",
		short: "check the connections the way a migration run resolves them",
		long: `Resolves the connections exactly as a migration run would (DIRECT probed once, then locked),
prints the decision, each role's redacted URL, server version, pool mode (direct, session or
transaction) and round-trip time, then the settings that make index builds and backfills slow the
application (max_parallel_maintenance_workers, maintenance_work_mem, statement_timeout as the
POOLER role sees them, and whether that role sees other roles' sessions), each with what to run.
Exit 0 when POOLER and the locked migration role answer, 1 when not; a setting to fix is a
warning, not a failure.`,
		setup: func(f *flags) func(context.Context, *env, []string) error {
			cfg := dbFlags(f)
			f.fs.BoolVar(&asJSON, "json", false, "print JSON")
			var parallel int
			f.count(&parallel, "index-parallel-workers", "STEADY_INDEX_PARALLEL_WORKERS", 0, -1, 1024, "as the worker's: whether its builds override max_parallel_maintenance_workers")
			return func(ctx context.Context, e *env, _ []string) error {
				cfg.Logger = e.log.logger
				rep, err := dbconn.Diagnose(ctx, *cfg)
				if err != nil {
					return err
				}
				settings, failed := doctorSettings(ctx, e, *cfg, rep, parallel)
				if asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					if err := enc.Encode(struct {
						dbconn.Report
						Settings []tuning.Finding `json:"settings"`
					}{rep, settings}); err != nil {
						return err
					}
				} else {
					printDoctor(e, rep)
					printDoctorSettings(e, settings, failed)
				}
				if !rep.OK() {
					return withCode(exitFailure)
				}
				return nil
			}
		},
	}
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
		default:
			fmt.Fprintf(e.stdout, "%-7s %s  UNREACHABLE  %s\n", r.name, r.rep.URL, r.rep.Error)
		}
	}
}
