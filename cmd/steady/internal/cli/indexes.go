package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	api "github.com/steadydb/steady"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/indexes"
)

type indexesOpts struct {
	db     *dbconn.Config
	cat    *catalogSettings
	json   bool
	wait   bool
	ws     *waitSettings
	window *indexWindowSetting
}

func indexesCommand(c *cli) *cobra.Command {
	o := &indexesOpts{db: &c.db, cat: &catalogSettings{}, ws: &waitSettings{}, window: &indexWindowSetting{}}
	cmd := c.command(&cobra.Command{
		Use:   "indexes build [TABLE...] [--wait] [--json] | status [--json]",
		Short: "build the index catalog concurrently (River jobs on POOLER) and show each index's state",
		Long: `The catalog (indexes/*.sql built in, or --indexes-dir: plain CREATE INDEX statements, each with a
comment saying why) lists the indexes the product's queries need. One River job per
table builds that table's indexes one at a time with CREATE INDEX CONCURRENTLY on the POOLER;
tables build in parallel on the worker's indexes queue. A build reads each index from the
catalog first: an INVALID one (a failed or cancelled build) is dropped and built again, and one
with another definition is replaced (built as NAME_steady_new, then swapped).

  build [TABLE...]   enqueue a build for every table (or those named) whose indexes are not all
                     valid; only inserts jobs, steady worker works them. A table whose job is
                     waiting or running gets nothing new; a job waiting to retry runs now.
        --wait       follow the jobs, with the phase of each running build, until they end:
                     exit 0 when every index is built, 1 when a job failed (its error is shown;
                     River retries it with backoff) or was cancelled or discarded; with no live
                     worker it says so at once and exits 5 when none has appeared within
                     --wait-timeout (60s; 0 waits forever)
        --json       print {"jobs": [{table, action, job_id, state, error}], "indexes": [...]}
  status             every catalog index: name, table, state, size, and the live workers. States:
                     valid, invalid (left by a failed build), missing, building (a concurrent
                     build is running), different (not the catalog's definition), stalled (not
                     in place, its build job waiting or running and no live worker for
                     --stalled-after, 30s). --json: an array of objects with name, table, state,
                     size_bytes, definition, detail, for a stalled one index_state and
                     stalled_since, and build_window_opens (when a window is set and the index
                     is to be built). With a build window (--index-window, as the worker's),
                     says whether it is open and when it opens next.
                     Exit 0 all valid, 3 some missing or building (or stalled missing), 4 some
                     invalid or different (stalled or not).

A build cancelled by statement_timeout (or lock_timeout) comes from a server, database or role
setting: PgBouncer refuses per-connection settings. The worker logs what set it (ALTER DATABASE,
ALTER ROLE, ALTER ROLE … IN DATABASE, the server's configuration) and the statement that lifts it
for steady's role only, such as ALTER ROLE <steady's role> IN DATABASE <database> SET
statement_timeout = 0 (or give the POOLER URL a dedicated role); the next attempt heals it.`,
	}, nil, func(_ context.Context, _ *env, args []string) error {
		if len(args) == 0 {
			return usageErr(errors.New("indexes: want a subcommand: build or status"))
		}
		return usageErr(fmt.Errorf("indexes: unknown subcommand %q (want build or status)", args[0]))
	})
	cmd.AddCommand(
		c.command(&cobra.Command{
			Use:   "build [TABLE...] [--wait] [--json]",
			Short: "enqueue a build for every table (or those named) whose indexes are not all valid",
		}, []setting{
			{"json", "", "print JSON", boolean(&o.json, false)},
			{"wait", "", "follow the jobs until they end", boolean(&o.wait, false)},
			o.ws.wait(), o.ws.stalled(), o.window.setting(), o.cat.indexes(),
		}, func(ctx context.Context, e *env, tables []string) error { return o.build(ctx, e, tables) }),
		c.command(&cobra.Command{
			Use:   "status [--json]",
			Short: "every catalog index: name, table, state, size, and the live workers",
			Args:  noArgs,
		}, []setting{
			{"json", "", "print JSON", boolean(&o.json, false)},
			o.ws.stalled(), o.window.setting(), o.cat.indexes(),
		}, func(ctx context.Context, e *env, _ []string) error { return o.status(ctx, e) }),
	)
	return cmd
}

func (o *indexesOpts) status(ctx context.Context, e *env) error {
	window, err := o.window.parse()
	if err != nil {
		return err
	}
	client, err := openClient(ctx, e, o.db, o.cat, nil, o.ws.stalledAfter)
	if err != nil {
		return err
	}
	defer client.Close()
	now := time.Now()
	var mark *api.IndexWindow
	if o.json {
		mark = window // the JSON says when each build may start; the table says it once below
	}
	status, census, err := client.IndexStatus(ctx, mark)
	if err != nil {
		return err
	}
	if o.json {
		if err := writeJSON(e.stdout, status); err != nil {
			return err
		}
	} else {
		printIndexStatus(e, status)
		fmt.Fprintln(e.stdout, workersLine(census))
		printIndexWindow(e.stdout, window, now)
	}
	return withCode(indexStatusCode(status))
}

func indexStatusCode(status []api.IndexStatus) int { return api.IndexStatusCode(status) }

func printIndexStatus(e *env, status []indexes.Status) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTABLE\tSTATE\tSIZE\tDETAIL")
	for _, st := range status {
		size := "-"
		if st.Found != "" {
			size = humanBytes(st.SizeBytes)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", st.Name, st.Table, st.State, size, st.Detail)
	}
	tw.Flush()
	counts := map[indexes.State]int{}
	for _, st := range status {
		counts[st.State]++
	}
	var parts []string
	for _, s := range []indexes.State{indexes.Valid, indexes.Building, indexes.Missing, indexes.Invalid, indexes.Different, indexes.Stalled} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	fmt.Fprintf(e.stdout, "indexes: %s (%d in the catalog)\n", strings.Join(parts, ", "), len(status))
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func (o *indexesOpts) build(ctx context.Context, e *env, tables []string) error {
	window, err := o.window.parse()
	if err != nil {
		return err
	}
	// Tables are checked before anything connects: an unknown one enqueues nothing.
	cats, err := api.LoadCatalogs(apiConfig(e, o.db, o.cat, 0))
	if err == nil {
		err = cats.CheckIndexTables(tables...)
	}
	if err != nil {
		return err
	}
	client, err := openClient(ctx, e, o.db, o.cat, cats, o.ws.stalledAfter)
	if err != nil {
		return err
	}
	defer client.Close()
	res, err := client.BuildIndexes(ctx, tables, true)
	if err != nil {
		return err
	}
	out := api.IndexBuildReport{Jobs: make([]api.FollowedIndexBuild, len(res))}
	for i, r := range res {
		out.Jobs[i] = api.FollowedIndexBuild{IndexEnqueued: r}
	}
	if !o.json {
		printEnqueued(e, res)
		printIndexWindow(e.stdout, window, time.Now())
	}
	var failure error
	if missing := slices.IndexFunc(res, func(r indexes.Enqueued) bool { return r.Action == indexes.EnqueueNoTable }); missing >= 0 {
		failure = fmt.Errorf("table %s does not exist: run steady migrate first", res[missing].Table)
	}
	if o.wait {
		progressOut := e.stdout
		if o.json {
			progressOut = e.stderr // progress lines; stdout is the JSON document
		}
		if err := followIndexBuilds(ctx, client, progressOut, o.ws.timeout, &out); err != nil {
			return err
		}
		failure = cmpErr(failure, out.Failure())
	}
	if o.json {
		if err := writeJSON(e.stdout, out); err != nil {
			return err
		}
	}
	if failure != nil {
		return &exitError{code: exitFailure, err: failure}
	}
	return nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func printEnqueued(e *env, res []indexes.Enqueued) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tACTION\tJOB\tSTATE")
	for _, r := range res {
		job, state := "-", "-"
		if r.JobID != 0 {
			job, state = fmt.Sprint(r.JobID), string(r.State)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Table, r.Action, job, state)
	}
	tw.Flush()
}
