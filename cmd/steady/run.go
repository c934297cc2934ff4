package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// command is one subcommand. setup registers its flags and returns the function that runs it.
type command struct {
	name  string
	args  string // synopsis after the name
	short string
	long  string
	setup func(f *flags) func(ctx context.Context, e *env, args []string) error
}

// env is what every command gets: where to write and how to log.
type env struct {
	stdout, stderr io.Writer
	log            *logSetup
}

func commands() []*command {
	return []*command{migrateCommand(), statusCommand(), lintCommand(), doctorCommand(), workerCommand(), indexesCommand(), backfillCommand(), scheduleCommand(), demoDataCommand()}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return helpFor(args[1], stdout)
		}
		printHelp(stdout)
		if len(args) == 0 {
			return usageErr(errors.New("no command given"))
		}
		return nil
	}
	i := slices.IndexFunc(commands(), func(c *command) bool { return c.name == args[0] })
	if i < 0 {
		return usageErr(fmt.Errorf("unknown command %q (run steady help)", args[0]))
	}
	cmd := commands()[i]
	f := newFlags(cmd.name, stderr)
	f.fs.Usage = func() { printCommandHelp(cmd, f, stderr) }
	runFn := cmd.setup(f)
	logs := logFlags(f)
	if err := f.fs.Parse(args[1:]); err != nil {
		return usageErr(err)
	}
	if f.err != nil {
		return usageErr(f.err)
	}
	e := &env{stdout: stdout, stderr: stderr, log: logs}
	if err := logs.build(stderr); err != nil {
		return usageErr(err)
	}
	return cleanErr(runFn(ctx, e, f.fs.Args()))
}

func helpFor(name string, w io.Writer) error {
	for _, c := range commands() {
		if c.name == name {
			f := newFlags(c.name, w)
			c.setup(f)
			logFlags(f)
			printCommandHelp(c, f, w)
			return nil
		}
	}
	return usageErr(fmt.Errorf("unknown command %q (run steady help)", name))
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `steady keeps a PostgreSQL database's schema and data in shape behind a connection pooler.

Usage:
  steady COMMAND [flags]
  steady help COMMAND      (or steady COMMAND -h) for a command's flags and environment variables

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.short)
	}
	fmt.Fprint(w, `
Settings: flags override environment variables, which override defaults. Every command that
connects reads DATABASE_URL_DIRECT, DATABASE_URL_POOLER and DATABASE_URL (used for any role whose
own URL is unset), and STEADY_DIRECT_TIMEOUT (default 5s). Logs: STEADY_LOG_FORMAT=text|json
(text on a terminal, json otherwise), STEADY_LOG_LEVEL=debug|info|warn|error (info).

Exit codes:
  0  success
  1  failure: the command could not do its work
  2  usage: bad flag, bad setting or URL, unknown name; nothing was done
  3  pending work (status commands)
  4  drift, partial state, changed checksum or invalid index (status, --strict)
  5  no worker: --wait found no live worker for --wait-timeout (the work stays enqueued)
`)
}

func printCommandHelp(c *command, f *flags, w io.Writer) {
	fmt.Fprintf(w, "Usage: steady %s %s\n\n%s\n\n", c.name, c.args, strings.TrimSpace(c.long))
	fmt.Fprintln(w, "Flags (environment variable in brackets):")
	f.fs.SetOutput(w)
	f.fs.PrintDefaults()
}
