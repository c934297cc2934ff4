package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/redact"
)

// env is what every command gets: where to write, how to log, and its environment variables.
type env struct {
	stdout, stderr io.Writer
	log            *logSetup
	lookupEnv      LookupEnv
}

// cli holds the global settings, which every command reads and which go before or after the
// command (after a backfill or indexes subcommand too).
type cli struct {
	env  env
	db   dbconn.Config
	logs logSetup
}

func (c *cli) globalSettings() []setting {
	db, l := &c.db, &c.logs
	return []setting{
		{"log-format", "STEADY_LOG_FORMAT", "text or json (default: text on a terminal, json otherwise)", oneOf(&l.format, "", "text", "json")},
		{"log-level", "STEADY_LOG_LEVEL", "debug, info, warn or error", oneOf(&l.level, "info", "debug", "info", "warn", "error")},
		{"direct-url", "DATABASE_URL_DIRECT", "direct PostgreSQL URL, tried once for migrations", text(&db.DirectURL, "")},
		{"pooler-url", "DATABASE_URL_POOLER", "pooler (PgBouncer, Supavisor) URL; index builds, backfills and River always use it", text(&db.PoolerURL, "")},
		{"database-url", "DATABASE_URL", "URL for any role whose own URL is unset", text(&db.DatabaseURL, "")},
		{"direct-timeout", "STEADY_DIRECT_TIMEOUT", "how long the one DIRECT probe may take", duration(&db.DirectTimeout, dbconn.DefaultDirectTimeout)},
		{"pooler-mode", "STEADY_POOLER_MODE", "how the POOLER shares server connections: auto (detected; transaction unless shown to be direct), transaction or session", text(&db.PoolerMode, "auto")},
		{"schema", "STEADY_SCHEMA", "schema of steady's own tables and River's (made when missing); other tools' history tables stay where they are", text(&db.Schema, "public")},
	}
}

// command makes a cobra command of a declaration: the command, its settings and what it runs.
func (c *cli) command(cmd *cobra.Command, settings []setting, run func(ctx context.Context, e *env, args []string) error) *cobra.Command {
	register(cmd.Flags(), settings...)
	if run != nil {
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			return cleanErr(run(cmd.Context(), &c.env, args))
		}
	}
	return cmd
}

// noArgs refuses positional arguments: a command that takes none does nothing with a typo.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErr(fmt.Errorf("%s takes no arguments (got %q)", cmd.CommandPath(), args[0]))
	}
	return nil
}

// The commands are listed in the order the tree declares them: the order of a deploy.
func init() { cobra.EnableCommandSorting = false }

// newRoot is the command tree.
func newRoot(lookup LookupEnv, stdout, stderr io.Writer) *cobra.Command {
	c := &cli{env: env{stdout: stdout, stderr: stderr, lookupEnv: lookup}}
	c.env.log = &c.logs
	root := &cobra.Command{
		Use:               "steady",
		SilenceErrors:     true, // main prints the error once, redacted
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		RunE: func(cmd *cobra.Command, _ []string) error {
			printHelp(stdout, cmd)
			return usageErr(errors.New("no command given"))
		},
	}
	register(root.PersistentFlags(), c.globalSettings()...)
	help := &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "every command, flag and environment variable (steady COMMAND -h too)",
		RunE: func(_ *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return usageErr(fmt.Errorf("unknown command %q (run steady help)", strings.Join(args, " ")))
			}
			return target.Help()
		},
	}
	root.SetHelpCommand(help)
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if cmd == root || cmd == help {
			return nil // help needs no settings; steady alone prints it
		}
		if err := applyEnv(cmd.Flags(), lookup); err != nil {
			return err
		}
		if err := c.logs.build(stderr); err != nil {
			return usageErr(err)
		}
		fromFlags, fromEnv := settingSources(cmd.Flags(), lookup)
		c.logs.logger.Debug("settings", slog.String("command", cmd.CommandPath()),
			slog.Any("from_flags", fromFlags), slog.Any("from_env", fromEnv))
		return nil
	}
	root.SetHelpFunc(func(cmd *cobra.Command, _ []string) {
		if cmd == root {
			printHelp(cmd.OutOrStdout(), root)
			return
		}
		printCommandHelp(cmd.OutOrStdout(), cmd)
	})
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	root.AddCommand(migrateCommand(c), statusCommand(c), lintCommand(c), doctorCommand(c), workerCommand(c),
		indexesCommand(c), backfillCommand(c), scheduleCommand(c), demoDataCommand(c), historyCommand(c))
	root.SetOut(stdout)
	root.SetErr(stderr)
	return root
}

func printHelp(w io.Writer, root *cobra.Command) {
	fmt.Fprint(w, `steady keeps a PostgreSQL database's schema and data in shape behind a connection pooler.

Usage:
  steady COMMAND [flags]
  steady help COMMAND      (or steady COMMAND -h) for a command's flags and environment variables

Commands:
`)
	for _, c := range root.Commands() {
		if c.Name() != "help" {
			fmt.Fprintf(w, "  %-10s %s\n", c.Name(), c.Short)
		}
	}
	fmt.Fprint(w, `
Settings: flags override environment variables, which override defaults. Every command that
connects reads DATABASE_URL_DIRECT, DATABASE_URL_POOLER and DATABASE_URL (used for any role whose
own URL is unset), STEADY_DIRECT_TIMEOUT (default 5s) and STEADY_SCHEMA (default public). Logs:
STEADY_LOG_FORMAT=text|json (text on a terminal, json otherwise),
STEADY_LOG_LEVEL=debug|info|warn|error (info). Their flags go before or after the command.

Exit codes:
  0  success
  1  failure: the command could not do its work
  2  usage: bad flag, bad setting or URL, unknown name; nothing was done
  3  pending work (status commands)
  4  drift, partial state, changed checksum or invalid index (status, --strict)
  5  no worker: --wait found no live worker for --wait-timeout (the work stays enqueued)
`)
}

// printCommandHelp is a command's help, generated from its declaration.
func printCommandHelp(w io.Writer, c *cobra.Command) {
	use := c.Use
	if c.HasParent() {
		use = c.Parent().CommandPath() + " " + use
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", use, strings.TrimSpace(cmp.Or(c.Long, c.Short)))
	if c.HasAvailableSubCommands() {
		fmt.Fprintln(w, "\nCommands:")
		for _, s := range c.Commands() {
			if s.IsAvailableCommand() {
				fmt.Fprintf(w, "  %-10s %s\n", s.Name(), s.Short)
			}
		}
	}
	if local := c.LocalNonPersistentFlags(); hasSettings(local) {
		fmt.Fprintln(w, "\nFlags (environment variable in brackets):")
		printSettings(w, local)
	}
	fmt.Fprintln(w, "\nGlobal flags, before or after the command (environment variable in brackets):")
	printSettings(w, c.InheritedFlags())
}

func hasSettings(fs *pflag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" {
			n++
		}
	})
	return n > 0
}

// printSettings lists each flag with its usage, its environment variable, its range and its
// default.
func printSettings(w io.Writer, fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" {
			return
		}
		name := "  --" + f.Name
		if t := f.Value.Type(); t != "bool" {
			name += " " + t
		}
		line := f.Usage
		if env := envOf(f); env != "" {
			line += " [" + env + "]"
		}
		hint := ""
		if v, ok := f.Value.(value); ok {
			hint = v.hint()
		}
		switch def := f.DefValue; {
		case hint != "" && def == "":
			line += fmt.Sprintf(" (%s)", hint)
		case hint != "":
			line += fmt.Sprintf(" (%s, default %s)", hint, def)
		case def != "" && def != "false" && def != "0s": // 0s: the usage says what the default is
			line += fmt.Sprintf(" (default %s)", def)
		}
		fmt.Fprintf(w, "%s\n    \t%s\n", name, line)
	})
}

// logSetup holds the log settings and, once built, the logger.
type logSetup struct {
	format, level string
	logger        *slog.Logger
}

// build makes the logger on w: text on a terminal, JSON otherwise, unless set. The settings
// were checked when they were read.
func (l *logSetup) build(w io.Writer) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return fmt.Errorf("--log-level / STEADY_LOG_LEVEL=%q: want debug, info, warn or error", l.level)
	}
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: redact.ReplaceAttr}
	switch l.defaultFormat(w) {
	case "text":
		l.logger = slog.New(slog.NewTextHandler(w, opts))
	default:
		l.logger = slog.New(slog.NewJSONHandler(w, opts))
	}
	return nil
}

func (l *logSetup) defaultFormat(w io.Writer) string {
	if l.format != "" {
		return l.format
	}
	if isTerminal(w) {
		return "text"
	}
	return "json"
}

// isTerminal reports whether w is a terminal: not a file, a pipe, a buffer or /dev/null (a
// character device, but no terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}
