package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalogfiles"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/liveness"
	"github.com/steadydb/steady/workers"
)

type backfillOpts struct {
	db     *dbconn.Config
	json   bool
	all    bool
	slices int
	wait   bool
	ws     *waitSettings
}

func backfillCommand(c *cli) *cobra.Command {
	o := &backfillOpts{db: &c.db, ws: &waitSettings{}}
	cmd := c.command(&cobra.Command{
		Use:   "backfill list [--json] | enqueue NAME... | --all [--slices N] [--wait] | status [NAME...] [--json] | pause|resume|cancel NAME...",
		Short: "list, enqueue, follow, pause, resume and cancel batched backfills (River jobs on POOLER)",
		Long: `A backfill changes a large table in keyset batches of about 200 ms, each one transaction with
its checkpoint, worked by River jobs on the POOLER: a crash loses nothing and redoes at most the
batch in flight. The catalog is in jobs/backfills.go.

  list [--json]                      the catalog: name, table, default schedule, description
  enqueue NAME... | --all            start a run of each (only inserts jobs: the worker works them);
          [--slices N]               split the key range into N slices worked in parallel
          [--wait]                   follow progress until the runs end: exit 0 done, 1 failed or
                                     cancelled (a progress bar on a terminal, lines otherwise);
                                     with no live worker it says so at once and exits 5 when none
                                     has appeared within --wait-timeout (60s; 0 waits forever)
                                     A backfill with an active run is left alone (a no-op, said so).
  status [NAME...] [--json]          the latest run of each: state (pending, running, paused,
                                     stalled, done, failed, cancelled, or never), rows done and
                                     remaining, rate, ETA, the share of its working time it was
                                     held back (and the main reason), why it is held back now, if
                                     it is, and the live workers. stalled: no progress for
                                     --stalled-after (30s) while no live worker holds it; no rate
                                     or ETA then. --json: an array of objects with name, state,
                                     rows_done, rows_remaining, rate_per_s, eta_s, progress, run,
                                     slices, stalled_since, stalled, throttled (why, when held
                                     back now), throttled_now, throttled_share (0..1),
                                     throttled_seconds (by reason: lock_waiters, xact_age,
                                     replica_lag, application), … .
                                     Exit 3 while a run is pending, running, stalled or paused.
  pause NAME...                      hold the active run at its next batch boundary
  resume NAME...                     continue a paused run from its checkpoints
  cancel NAME...                     stop the active run for good (what it changed stays)

An unknown name exits 2 with the list of names, and nothing is done.`,
	}, nil, func(_ context.Context, _ *env, args []string) error {
		if len(args) == 0 {
			return usageErr(errors.New("backfill: want a subcommand: list, enqueue, status, pause, resume or cancel"))
		}
		return usageErr(fmt.Errorf("backfill: unknown subcommand %q (want list, enqueue, status, pause, resume or cancel)", args[0]))
	})
	sub := func(use, short string, args cobra.PositionalArgs, settings ...setting) *cobra.Command {
		name, _, _ := strings.Cut(use, " ")
		return c.command(&cobra.Command{Use: use, Short: short, Args: args}, settings,
			func(ctx context.Context, e *env, names []string) error { return o.run(ctx, e, name, names) })
	}
	jsonOut := setting{"json", "", "print JSON", boolean(&o.json, false)}
	cmd.AddCommand(
		sub("list [--json]", "the catalog: name, table, default schedule, description", noArgs, jsonOut),
		sub("enqueue NAME... | --all [--slices N] [--wait]", "start a run of each (only inserts jobs: the worker works them)", nil,
			setting{"all", "", "every backfill of the catalog", boolean(&o.all, false)},
			setting{"slices", "", "key-range slices per run, each with its own job and checkpoint", integer(&o.slices, 1, 1, 1024)},
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
	names, err := o.names(sub, names)
	if err != nil {
		return usageErr(err)
	}
	client, pools, err := openInsertClient(ctx, e, o.db)
	if err != nil {
		return err
	}
	defer pools.Close()
	tables, err := bookkeeping.New(bookkeeping.Config{Pool: pools.Pooler.Pool, Schema: pools.Schema.Name(), Logger: e.log.logger})
	if err != nil {
		return err
	}
	store := backfills.NewStore(pools.Pooler.Pool, tables, catalogfiles.ShippedBackfills()).WithStalledAfter(o.ws.stalledAfter)
	if sub == "status" {
		return o.status(ctx, e, store, pools.Pooler, names)
	}
	// The commands that write create (or upgrade) the bookkeeping: no worker needs to have run.
	if err := tables.Ensure(ctx); err != nil {
		return err
	}
	if sub == "enqueue" {
		return o.enqueue(ctx, e, store, workers.BackfillJobs{Client: client}, names)
	}
	failed := 0
	for _, name := range names {
		var c backfills.Change
		var err error
		switch sub {
		case "pause":
			c, err = store.Pause(ctx, name)
		case "resume":
			c, err = store.Resume(ctx, workers.BackfillJobs{Client: client}, name)
		case "cancel":
			c, err = store.Cancel(ctx, name)
		}
		switch {
		case errors.Is(err, backfills.ErrNoActiveRun):
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

// names checks the names against the catalog before anything is done.
func (o *backfillOpts) names(sub string, names []string) ([]string, error) {
	if o.all {
		if len(names) > 0 {
			return nil, errors.New("backfill enqueue: give names or --all, not both")
		}
		return catalogfiles.ShippedBackfills().Names(), nil
	}
	if len(names) == 0 && sub != "status" {
		return nil, fmt.Errorf("backfill %s: want at least one name (known: %s)", sub, strings.Join(catalogfiles.ShippedBackfills().Names(), ", "))
	}
	var seen []string
	for _, n := range names {
		if _, ok := catalogfiles.ShippedBackfills().Lookup(n); !ok {
			return nil, catalogfiles.ShippedBackfills().Unknown(n)
		}
		if !slices.Contains(seen, n) {
			seen = append(seen, n)
		}
	}
	return seen, nil
}

type catalogJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Table       string `json:"table"`
	KeyTable    string `json:"key_table"`
	Key         string `json:"key"`
	Schedule    string `json:"schedule"`
}

func (o *backfillOpts) list(e *env) error {
	out := make([]catalogJSON, len(catalogfiles.ShippedBackfills()))
	for i, b := range catalogfiles.ShippedBackfills() {
		out[i] = catalogJSON{Name: b.Name, Description: b.Description, Table: b.Table, KeyTable: b.KeyRelation(), Key: b.Key, Schedule: b.Schedule}
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

func (o *backfillOpts) enqueue(ctx context.Context, e *env, store *backfills.Store, ins backfills.Inserter, names []string) error {
	for _, name := range names {
		b, _ := catalogfiles.ShippedBackfills().Lookup(name)
		res, err := store.Start(ctx, ins, b, backfills.StartOpts{Slices: o.slices, Trigger: backfills.TriggerManual})
		if err != nil {
			return err
		}
		switch {
		case res.Started:
			fmt.Fprintf(e.stdout, "%s: enqueued run %d (%d slices)\n", name, res.Run, res.Slices)
		case res.State == backfills.StatePaused:
			fmt.Fprintf(e.stdout, "%s: run %d is paused; nothing enqueued (steady backfill resume %s)\n", name, res.Run, name)
		default:
			msg := fmt.Sprintf("%s: run %d is already %s; nothing enqueued", name, res.Run, res.State)
			if res.Requeued > 0 {
				msg += fmt.Sprintf(" (%d of its slices had lost their job and got a new one)", res.Requeued)
			}
			fmt.Fprintln(e.stdout, msg)
		}
	}
	if !o.wait {
		return nil
	}
	return follow(ctx, e, store, &workerWatch{timeout: o.ws.timeout, out: e.stdout, what: "the runs", schema: store.Schema()}, names)
}

func (o *backfillOpts) status(ctx context.Context, e *env, store *backfills.Store, q liveness.Querier, names []string) error {
	sts, err := store.Status(ctx, names...)
	if err != nil {
		return err
	}
	census, err := liveness.Read(ctx, q, store.Schema())
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
