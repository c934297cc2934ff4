// Command admin is a platform's own admin tool that drives steady through its Go API, and only
// through it: it migrates in-process, starts an ad hoc backfill from a file and a catalog one,
// pauses and resumes the catalog run, follows both to their end while a worker (steady worker)
// works them, and reads the index builds' status. Its exit code is steady's for the same
// outcome (steady.ExitCode).
//
//	DATABASE_URL_POOLER=… DATABASE_URL_DIRECT=… admin -fix fix.sql -catalog leads_phone_whatsapp
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/steadydb/steady"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "admin:", err)
		os.Exit(steady.ExitCode(err))
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fix := fs.String("fix", "fix.sql", "an ad hoc backfill file, in no catalog")
	name := fs.String("catalog", "leads_phone_whatsapp", "a catalog backfill to start, pause and resume")
	waitWorker := fs.Duration("wait-worker", 2*time.Minute, "give up when no worker has been alive for this long")
	if err := fs.Parse(args); err != nil {
		return &steady.InputError{Err: err}
	}
	cfg := steady.Config{PoolerURL: os.Getenv("DATABASE_URL_POOLER"), DirectURL: os.Getenv("DATABASE_URL_DIRECT")}

	// The schema first, in-process, with steady migrate --strict's decisions and exit code.
	res, err := steady.Migrate(ctx, steady.MigrateConfig{Config: cfg, Strict: true}, steady.MigrateOpts{})
	if res.ExitCode() != steady.ExitOK {
		return cmpErr(err, fmt.Errorf("migrate: %d migrations show drift", res.Drift))
	}
	fmt.Fprintln(out, res.Summary)

	client, err := steady.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer client.Close()

	// A catalog run, held and let go again: pause and resume act at batch boundaries and
	// survive restarts.
	started, err := client.StartBackfill(ctx, steady.StartBackfill{Name: *name, Slices: 2})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, started)
	if _, err := client.PauseBackfill(ctx, *name); err != nil {
		return fmt.Errorf("pause %s: %w", *name, err)
	}
	sts, err := client.BackfillStatus(ctx, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: run %d %s\n", *name, sts[0].Run, sts[0].State)
	change, err := client.ResumeBackfill(ctx, *name)
	if err != nil {
		return fmt.Errorf("resume %s: %w", *name, err)
	}
	fmt.Fprintf(out, "%s: run %d resumed (%d slices)\n", *name, change.Run, change.Slices)

	// An ad hoc fix from a file: stored with its checksum, so a worker runs it even after this
	// program has exited.
	def, err := steady.ReadBackfillFile(*fix)
	if err != nil {
		return err
	}
	started, err = client.StartBackfill(ctx, steady.StartBackfill{File: &def})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, started)

	final, err := client.FollowBackfills(ctx, []string{*name, def.Name}, steady.FollowOpts{NoWorkerTimeout: *waitWorker,
		Say: func(line string) { fmt.Fprintln(out, line) }})
	var notDone *steady.NotDoneError
	switch {
	case errors.As(err, &notDone):
		return err // a run failed or was cancelled: exit 1
	case err != nil:
		return err // no worker came (exit 5), or following stopped
	}
	for _, st := range final {
		fmt.Fprintf(out, "%s: %s, %d rows (trigger %s)\n", st.Backfill, st.State, st.RowsDone, st.Trigger)
	}

	status, workers, err := client.IndexStatus(ctx, nil)
	if err != nil {
		return err
	}
	counts := map[steady.IndexState]int{}
	for _, st := range status {
		counts[st.State]++
	}
	fmt.Fprintf(out, "indexes: %d in the catalog, %d valid, %d building, %d missing\n",
		len(status), counts[steady.IndexValid], counts[steady.IndexBuilding], counts[steady.IndexMissing])
	fmt.Fprintln(out, workers.Summary())
	return nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
