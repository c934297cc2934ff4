package cli

import (
	"context"
	"fmt"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/tuning"
)

// doctorSettings reads the settings that make index builds and backfills slow the application,
// as steady's POOLER role sees them. It needs a reachable POOLER; a failure is a note, not an
// exit code: the connections are what doctor decides on.
func doctorSettings(ctx context.Context, e *env, cfg dbconn.Config, rep dbconn.Report, parallel int) ([]tuning.Finding, string) {
	if !rep.Pooler.Reachable {
		return nil, ""
	}
	cfg.Logger = e.log.logger
	pools, err := dbconn.Open(ctx, cfg, dbconn.OpenOpts{})
	if err != nil {
		return nil, err.Error()
	}
	defer pools.Close()
	fs, err := tuning.Check(ctx, pools.Pooler.Pool, tuning.Opts{IndexParallelWorkers: parallel})
	if err != nil {
		return nil, err.Error()
	}
	return fs, ""
}

func printDoctorSettings(e *env, fs []tuning.Finding, failed string) {
	if failed != "" {
		fmt.Fprintf(e.stdout, "settings: not read (%s)\n", failed)
		return
	}
	if len(fs) == 0 {
		return
	}
	fmt.Fprintln(e.stdout, "settings that decide how much index builds and backfills slow the application (POOLER role):")
	for _, f := range fs {
		mark := "ok  "
		if !f.OK {
			mark = "WARN"
		}
		from := f.Source
		if f.SetBy != "" && f.Source != "default" {
			from = "set by " + f.SetBy
		}
		fmt.Fprintf(e.stdout, "  %s %s = %s (%s): %s\n", mark, f.Setting, f.Value, from, f.Why)
		if f.Fix != "" {
			fmt.Fprintf(e.stdout, "       fix: %s\n", f.Fix)
		}
	}
}
