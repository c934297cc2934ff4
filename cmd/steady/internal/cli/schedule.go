package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // CRON_TZ= zones load on images without /usr/share/zoneinfo

	"github.com/spf13/cobra"

	api "github.com/steadydb/steady"
	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
)

// scheduleSettings are the per-backfill schedules: --schedule-NAME > STEADY_BACKFILL_NAME_SCHEDULE
// > the catalog's default. The worker and steady schedule read them alike. Flags exist for the
// built-in backfills; a backfill of --backfills-dir takes its variable (or its file's default).
type scheduleSettings struct {
	specs map[string]*string // by built-in backfill: the flag's or its variable's value, "" when unset
}

// settings declares one setting per built-in backfill.
func (s *scheduleSettings) settings() []setting {
	s.specs = map[string]*string{}
	var out []setting
	for _, b := range catalogfiles.ShippedBackfills() {
		p := new(string)
		def := b.Schedule
		if def == "" {
			def = "none"
		}
		out = append(out, setting{scheduleFlag(b.Name), scheduleEnv(b.Name),
			fmt.Sprintf("cron schedule of backfill %s (5 fields or @daily…, optional CRON_TZ=Zone, UTC otherwise; %q: none; default its file's: %s)", b.Name, backfills.ScheduleOff, def),
			text(p, "")})
		s.specs[b.Name] = p
	}
	return out
}

func scheduleFlag(name string) string { return "schedule-" + strings.ReplaceAll(name, "_", "-") }
func scheduleEnv(name string) string  { return "STEADY_BACKFILL_" + strings.ToUpper(name) + "_SCHEDULE" }

// resolve parses the schedule of every backfill of the catalog; an invalid one, or one set for
// a backfill the catalog does not have, is a usage error naming the backfill and its setting.
func (s *scheduleSettings) resolve(catalog backfills.Catalog, lookup LookupEnv) ([]backfills.Schedule, error) {
	specs := catalog.DefaultSpecs()
	for _, b := range catalog {
		if v := getenv(lookup, scheduleEnv(b.Name)); v != "" {
			specs[b.Name] = v
		}
	}
	for name, p := range s.specs {
		if *p == "" {
			continue
		}
		if _, ok := catalog.Lookup(name); !ok {
			return nil, usageErr(fmt.Errorf("--%s / %s: %w", scheduleFlag(name), scheduleEnv(name), catalog.Unknown(name)))
		}
		specs[name] = *p
	}
	scheds, err := catalog.ResolveSchedules(specs)
	var se *backfills.ScheduleError
	if errors.As(err, &se) {
		return nil, usageErr(fmt.Errorf("invalid schedule for backfill %s: --%s / %s=%q: %v",
			se.Backfill, scheduleFlag(se.Backfill), scheduleEnv(se.Backfill), se.Spec, se.Err))
	}
	return scheds, err
}

type scheduleJSON struct {
	Backfill string      `json:"backfill"`
	Spec     string      `json:"spec"`
	Zone     string      `json:"zone"`
	Next     []time.Time `json:"next"`
	LastRun  *lastRun    `json:"last_run,omitempty"`
}

type lastRun struct {
	Run       int64  `json:"run"`
	State     string `json:"state"`
	Trigger   string `json:"trigger"`
	CreatedAt string `json:"created_at"`
}

func scheduleCommand(c *cli) *cobra.Command {
	var asJSON bool
	db, scheds, cat := &c.db, &scheduleSettings{}, &catalogSettings{}
	return c.command(&cobra.Command{
		Use:   "schedule [--json]",
		Short: "show when each scheduled backfill runs next",
		Long: `Lists each scheduled backfill with its cron spec, the zone it is read in and its next three
run times (in that zone). Schedules come from the backfill catalog and can be changed per backfill
with --schedule-NAME or STEADY_BACKFILL_NAME_SCHEDULE (standard 5-field cron or a descriptor such
as @daily, optionally prefixed with CRON_TZ=Zone; UTC otherwise; "off" disables one). The worker
runs each schedule as a River periodic job, unique per scheduled time across replicas and restarts.
When a database is configured, the latest run of each backfill is shown too.
--json prints an array of objects with backfill, spec, zone, next (three RFC 3339 times) and
last_run. An invalid schedule exits 2 naming the backfill.`,
		Args: noArgs,
	}, append(scheds.settings(), setting{"json", "", "print JSON", boolean(&asJSON, false)}, cat.backfills()),
		func(ctx context.Context, e *env, _ []string) error {
			cats, err := api.LoadCatalogs(apiConfig(e, db, cat, 0))
			if err != nil {
				return err
			}
			list, err := scheds.resolve(cats.Backfills, e.lookupEnv)
			if err != nil {
				return err
			}
			last := lastRuns(ctx, e, db, cat)
			now := time.Now()
			out := make([]scheduleJSON, 0, len(list))
			for _, s := range list {
				loc, _ := time.LoadLocation(s.Zone)
				next := s.NextRuns(now, 3)
				for i := range next {
					next[i] = next[i].In(loc)
				}
				out = append(out, scheduleJSON{Backfill: s.Backfill, Spec: s.Spec, Zone: s.Zone, Next: next, LastRun: last[s.Backfill]})
			}
			if asJSON {
				return writeJSON(e.stdout, out)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "BACKFILL\tSPEC\tZONE\tNEXT RUNS\tLAST RUN")
			for _, s := range out {
				times := make([]string, len(s.Next))
				for i, t := range s.Next {
					times[i] = t.Format("2006-01-02 15:04 MST")
				}
				lr := "-"
				if s.LastRun != nil {
					lr = fmt.Sprintf("run %d %s (%s)", s.LastRun.Run, s.LastRun.State, s.LastRun.Trigger)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Backfill, s.Spec, s.Zone, strings.Join(times, ", "), lr)
			}
			if len(out) == 0 {
				fmt.Fprintln(tw, "(no backfill is scheduled)")
			}
			return tw.Flush()
		})
}

// lastRuns reads each backfill's latest run when a database is configured; the schedule itself
// needs none, so a missing or unreachable database is only a warning.
func lastRuns(ctx context.Context, e *env, db *dbconn.Config, cat *catalogSettings) map[string]*lastRun {
	if db.PoolerURL == "" && db.DatabaseURL == "" {
		return nil
	}
	client, err := openClient(ctx, e, db, cat, nil, 0)
	if err != nil {
		e.log.logger.Warn("no last runs: the database is not reachable", "error", err)
		return nil
	}
	defer client.Close()
	names := make([]string, len(client.Catalogs().Backfills))
	for i, b := range client.Catalogs().Backfills {
		names[i] = b.Name
	}
	sts, err := client.BackfillStatus(ctx, names...)
	if err != nil {
		e.log.logger.Warn("no last runs", "error", err)
		return nil
	}
	out := map[string]*lastRun{}
	for _, st := range sts {
		if st.State == backfills.StateNever {
			continue
		}
		out[st.Backfill] = &lastRun{Run: st.Run, State: string(st.State), Trigger: string(st.Trigger), CreatedAt: st.CreatedAt.Format(time.RFC3339)}
	}
	return out
}
