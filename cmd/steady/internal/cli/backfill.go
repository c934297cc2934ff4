package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	api "github.com/steadydb/steady"
	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/dbconn"
)

type backfillOpts struct {
	db       *dbconn.Config
	cat      *catalogSettings
	json     bool
	all      bool
	slices   *int64
	file     string
	from, to *int64
	wait     bool
	ws       *waitSettings
}

func backfillCommand(c *cli) *cobra.Command {
	o := &backfillOpts{db: &c.db, cat: &catalogSettings{}, ws: &waitSettings{}}
	cmd := c.command(&cobra.Command{
		Use:   "backfill list [--json] | enqueue NAME... | --all | --file FILE [--slices N] [--from KEY] [--to KEY] [--wait] | status [NAME...] [--json] | pause|resume|cancel NAME...",
		Short: "list, enqueue, follow, pause, resume and cancel batched backfills (River jobs on POOLER)",
		Long: `A backfill changes a large table in keyset batches of about 200 ms, each one transaction with
its checkpoint, worked by River jobs on the POOLER: a crash loses nothing and redoes at most the
batch in flight. Each backfill is a SQL file: the catalog is backfills/ (built in) or
--backfills-dir; a file in no catalog runs ad hoc with --file (see the README's Backfills).

  list [--json]                      the catalog: name, table, default schedule, description
  enqueue NAME... | --all            start a run of each (only inserts jobs: the worker works them)
          --file FILE                start an ad hoc run of a backfill file that is in no catalog:
                                     the file is stored with its checksum in steady's tables, so
                                     the worker runs it after this command exits; its statements
                                     are planned on the database first (trigger adhoc)
          [--from KEY] [--to KEY]    only the keys above FROM, up to TO (as :from and :to in the
                                     file), for one NAME or --file (trigger adhoc)
          [--slices N]               split the key range into N slices worked in parallel
                                     (default: the file's slices, else 1)
          [--wait]                   follow progress until the runs end: exit 0 done, 1 failed or
                                     cancelled (a progress bar on a terminal, lines otherwise);
                                     with no live worker it says so at once and exits 5 when none
                                     has appeared within --wait-timeout (60s; 0 waits forever)
                                     A backfill with an active run is left alone (a no-op, said so).
  status [NAME...] [--json]          the latest run of each (the catalog's, then ad hoc runs of the
                                     last week): state (pending, running, paused,
                                     stalled, done, failed, cancelled, or never), rows done and
                                     remaining, rate, ETA, the share of its working time it was
                                     held back (and the main reason), why it is held back now, if
                                     it is, and the live workers. stalled: no progress for
                                     --stalled-after (30s) while no live worker holds it; no rate
                                     or ETA then. --json: an array of objects with name, state,
                                     rows_done, rows_remaining, rate_per_s, eta_s, progress, run,
                                     slices, trigger, file and checksum (ad hoc), from and to,
                                     stalled_since, stalled, throttled (why, when held
                                     back now), throttled_now, throttled_share (0..1),
                                     throttled_seconds (by reason: lock_waiters, xact_age,
                                     replica_lag, application), … .
                                     Exit 3 while a run is pending, running, stalled or paused.
  pause NAME...                      hold the active run at its next batch boundary
  resume NAME...                     continue a paused run from its checkpoints
  cancel NAME...                     stop the active run for good (what it changed stays)

An unknown name, a file that cannot be used (named with its line) or a bad option exits 2, and
nothing is done. Scripts can also start a run by inserting a steady_backfill_start River job
(docs/river-jobs.md).`,
	}, nil, func(_ context.Context, _ *env, args []string) error {
		if len(args) == 0 {
			return usageErr(errors.New("backfill: want a subcommand: list, enqueue, status, pause, resume or cancel"))
		}
		return usageErr(fmt.Errorf("backfill: unknown subcommand %q (want list, enqueue, status, pause, resume or cancel)", args[0]))
	})
	sub := func(use, short string, args cobra.PositionalArgs, settings ...setting) *cobra.Command {
		name, _, _ := strings.Cut(use, " ")
		return c.command(&cobra.Command{Use: use, Short: short, Args: args}, append(settings, o.cat.backfills()),
			func(ctx context.Context, e *env, names []string) error { return o.run(ctx, e, name, names) })
	}
	jsonOut := setting{"json", "", "print JSON", boolean(&o.json, false)}
	cmd.AddCommand(
		sub("list [--json]", "the catalog: name, table, default schedule, description", noArgs, jsonOut),
		sub("enqueue NAME... | --all | --file FILE [--slices N] [--from KEY] [--to KEY] [--wait]", "start a run of each (only inserts jobs: the worker works them)", nil,
			setting{"all", "", "every backfill of the catalog", boolean(&o.all, false)},
			setting{"file", "", "an ad hoc backfill file, in no catalog", text(&o.file, "")},
			setting{"slices", "", "key-range slices per run, each with its own job and checkpoint (default: the file's slices, else 1)", optionalInt(&o.slices, 1, 1024)},
			setting{"from", "", "only the keys above this one (as :from in the file)", optionalInt(&o.from, math.MinInt64, math.MaxInt64)},
			setting{"to", "", "only the keys up to this one (as :to in the file)", optionalInt(&o.to, math.MinInt64, math.MaxInt64)},
			setting{"wait", "", "follow progress until the runs end", boolean(&o.wait, false)},
			o.ws.wait(), o.ws.stalled()),
		sub("status [NAME...] [--json]", "the latest run of each, and the live workers", nil, jsonOut, o.ws.stalled()),
		sub("pause NAME...", "hold the active run at its next batch boundary", nil),
		sub("resume NAME...", "continue a paused run from its checkpoints", nil),
		sub("cancel NAME...", "stop the active run for good (what it changed stays)", nil),
	)
	return cmd
}

func (o *backfillOpts) run(ctx context.Context, e *env, sub string, names []string) error {
	if sub == "list" {
		return o.list(e)
	}
	if err := o.check(sub, names); err != nil {
		return usageErr(err)
	}
	// The catalog before anything connects: an unknown name to enqueue starts nothing.
	cats, err := api.LoadCatalogs(apiConfig(e, o.db, o.cat, 0))
	if err != nil {
		return err
	}
	if sub == "enqueue" {
		if err := cats.CheckBackfills(unique(names)...); err != nil {
			return err
		}
	}
	client, err := openClient(ctx, e, o.db, o.cat, cats, o.ws.stalledAfter)
	if err != nil {
		return err
	}
	defer client.Close()
	switch sub {
	case "status":
		return o.status(ctx, e, client, names)
	case "enqueue":
		return o.enqueue(ctx, e, client, names)
	}
	failed := 0
	for _, name := range unique(names) {
		var c api.BackfillChange
		var err error
		switch sub {
		case "pause":
			c, err = client.PauseBackfill(ctx, name)
		case "resume":
			c, err = client.ResumeBackfill(ctx, name)
		case "cancel":
			c, err = client.CancelBackfill(ctx, name)
		}
		switch {
		case errors.Is(err, api.ErrNoActiveRun):
			fmt.Fprintf(e.stdout, "%s: no active run; nothing to %s\n", name, sub)
			failed++
		case err != nil:
			return fmt.Errorf("%s %s: %w", sub, name, err)
		case c.Slices == 0:
			fmt.Fprintf(e.stdout, "%s: run %d was already %s\n", name, c.Run, map[string]string{"pause": "paused", "resume": "running", "cancel": "cancelled"}[sub])
		default:
			fmt.Fprintf(e.stdout, "%s: run %d %s (%d slices)\n", name, c.Run, map[string]string{"pause": "paused", "resume": "resumed", "cancel": "cancelled"}[sub], c.Slices)
		}
	}
	if failed > 0 {
		return withCode(exitFailure)
	}
	return nil
}

// check refuses what no run can be before anything connects.
func (o *backfillOpts) check(sub string, names []string) error {
	if sub != "enqueue" {
		if len(names) == 0 && sub != "status" {
			return fmt.Errorf("backfill %s: want at least one name", sub)
		}
		return nil
	}
	switch {
	case o.file != "" && (len(names) > 0 || o.all):
		return errors.New("backfill enqueue: give --file, names or --all, one of them")
	case o.all && len(names) > 0:
		return errors.New("backfill enqueue: give names or --all, not both")
	case len(names) == 0 && !o.all && o.file == "":
		return errors.New("backfill enqueue: want at least one name, --all or --file")
	case (o.from != nil || o.to != nil) && (o.all || len(unique(names)) > 1):
		return errors.New("backfill enqueue: --from and --to bound one run: give one name or --file")
	}
	return nil
}

func unique(names []string) []string {
	var seen []string
	for _, n := range names {
		if !slices.Contains(seen, n) {
			seen = append(seen, n)
		}
	}
	return seen
}

type catalogJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Table       string `json:"table"`
	KeyTable    string `json:"key_table"`
	Key         string `json:"key"`
	Schedule    string `json:"schedule"`
	File        string `json:"file"`
}

func (o *backfillOpts) list(e *env) error {
	cats, err := api.LoadCatalogs(apiConfig(e, o.db, o.cat, 0))
	if err != nil {
		return err
	}
	out := make([]catalogJSON, len(cats.Backfills))
	for i, b := range cats.Backfills {
		out[i] = catalogJSON{Name: b.Name, Description: b.Description, Table: b.Table, KeyTable: b.KeyRelation(), Key: b.Key, Schedule: b.Schedule, File: b.File}
	}
	if o.json {
		return writeJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTABLE\tSCHEDULE\tDESCRIPTION")
	for _, b := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", b.Name, b.Table, orDash(b.Schedule), b.Description)
	}
	return tw.Flush()
}

func (o *backfillOpts) enqueue(ctx context.Context, e *env, client *api.Client, names []string) error {
	var reqs []api.StartBackfill
	switch {
	case o.file != "":
		b, err := api.ReadBackfillFile(o.file)
		if err != nil {
			return err
		}
		reqs = append(reqs, api.StartBackfill{File: &b})
	case o.all:
		for _, b := range client.Catalogs().Backfills {
			reqs = append(reqs, api.StartBackfill{Name: b.Name})
		}
	default:
		for _, n := range unique(names) {
			reqs = append(reqs, api.StartBackfill{Name: n})
		}
	}
	var started []string
	for _, req := range reqs {
		req.From, req.To = o.from, o.to
		if o.slices != nil {
			req.Slices = int(*o.slices)
		}
		res, err := client.StartBackfill(ctx, req)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, res.String())
		started = append(started, res.Backfill)
	}
	if !o.wait {
		return nil
	}
	return follow(ctx, e, client, o.ws.timeout, started)
}

func (o *backfillOpts) status(ctx context.Context, e *env, client *api.Client, names []string) error {
	sts, err := client.BackfillStatus(ctx, unique(names)...)
	if err != nil {
		return err
	}
	census, err := client.Workers(ctx)
	if err != nil {
		return err
	}
	code := exitOK
	for _, st := range sts {
		if st.State.Active() {
			code = exitPending
		}
	}
	if o.json {
		if err := writeJSON(e.stdout, sts); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tRUN\tSTATE\tROWS DONE\tREMAINING\tRATE\tETA\tHELD BACK\tNOTE")
		for _, st := range sts {
			note := st.Error
			if st.Throttled != "" {
				note = "held back: " + st.Throttled
			}
			if st.State == backfills.StateStalled {
				note = fmt.Sprintf("stalled since %s: %s", st.StalledSince.UTC().Format(time.RFC3339), st.Stalled)
			}
			if note == "" && st.Trigger == backfills.TriggerAdhoc && st.File != "" {
				note = "ad hoc: " + st.File
			}
			run := "-"
			if st.Run != 0 {
				run = fmt.Sprint(st.Run)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", st.Backfill, run, st.State, st.RowsDone,
				remainingText(st), rateText(st.RatePerS), etaFor(st), heldBackText(st), note)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, workersLine(census))
	}
	return withCode(code)
}

// heldBackText is the share of the run's working time it was held back, with the main reason.
func heldBackText(st backfills.RunStatus) string {
	if st.ActiveSeconds <= 0 {
		return "-"
	}
	top, most := "", 0.0
	for _, r := range backfills.Reasons {
		if s := st.ThrottledSeconds[r]; s > most {
			top, most = r, s
		}
	}
	if top == "" {
		return "0%"
	}
	return fmt.Sprintf("%.0f%% (%s)", 100*st.ThrottledShare(), top)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
