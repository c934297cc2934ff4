package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	api "github.com/steadydb/steady"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/internal/shadow"
	"github.com/steadydb/steady/migrations"
)

// migrateSettings are shared by migrate, status and the worker.
type migrateSettings struct {
	db          *dbconn.Config
	dir         string
	format      string
	shadow      string // auto or off
	shadowURL   string
	shadowSetup string
	lockTimeout time.Duration
	leaseTTL    time.Duration
	strict      bool
	lint        *lintSettings
}

func newMigrateSettings(c *cli) *migrateSettings {
	return &migrateSettings{db: &c.db, lint: &lintSettings{}}
}

func (s *migrateSettings) settings() []setting {
	return append([]setting{
		{"migrations-dir", "STEADY_MIGRATIONS_DIR", "read migrations from this directory instead of the ones built in", text(&s.dir, "")},
		{"migrations-format", "STEADY_MIGRATIONS_FORMAT", "the tool whose files the directory holds: auto (detected from names, markers and layout; a directory named supabase/migrations is the Supabase CLI's), " + formatNames(),
			text(&s.format, "auto")},
		{"shadow", "STEADY_SHADOW", "where a database's point in its history must be inferred, replay the history on a shadow database (auto: --shadow-url, else one created and dropped through the migration role) or decide from the SQL text alone (off)",
			oneOf(&s.shadow, "auto", "auto", "off")},
		{"shadow-url", "STEADY_SHADOW_URL", "an empty database steady may empty and replay the history on (as Prisma's shadowDatabaseUrl); never the database being migrated", text(&s.shadowURL, "")},
		{"shadow-setup", "STEADY_SHADOW_SETUP", "SQL file applied to the shadow database before the first migration: what the platform provides (schemas, roles, extensions)", text(&s.shadowSetup, "")},
		{"lock-timeout", "STEADY_LOCK_TIMEOUT", "lock_timeout of each DDL transaction; lock timeouts are retried with backoff", duration(&s.lockTimeout, 2*time.Second)},
		// The lease is refreshed every TTL/3: below a second, one slow refresh hands a live
		// run's lease to another runner.
		{"lease-ttl", "STEADY_MIGRATION_LEASE_TTL", "how long the migration lease outlives a killed runner before the next run takes it over",
			durationIn(&s.leaseTTL, 30*time.Second, time.Second, math.MaxInt64)},
	}, s.lint.settings()...)
}

func (s *migrateSettings) source() (fs.FS, error) {
	if s.dir == "" {
		return migrations.FS, nil
	}
	if st, err := os.Stat(s.dir); err != nil || !st.IsDir() {
		return nil, usageErr(fmt.Errorf("--migrations-dir / STEADY_MIGRATIONS_DIR=%q: not a directory", s.dir))
	}
	return os.DirFS(s.dir), nil
}

// apiConfig is the Go API's migration configuration of these settings.
func (s *migrateSettings) apiConfig(e *env) api.MigrateConfig {
	shadowMode := s.shadow
	return api.MigrateConfig{Config: apiConfig(e, s.db, &catalogSettings{}, 0), MigrationsDir: s.dir, MigrationsFormat: s.format,
		Shadow: shadowMode, ShadowURL: s.shadowURL, ShadowSetup: s.shadowSetup, LockTimeout: s.lockTimeout, LeaseTTL: s.leaseTTL,
		Strict: s.strict, Lint: s.lint.apiConfig()}
}

// open resolves the connections (probing DIRECT once) and lists the migrations, through the Go
// API. A migration that cannot be read or does not parse is bad input: exit 2, nothing applied.
func (s *migrateSettings) open(ctx context.Context, e *env) (*api.Migrator, error) {
	return api.OpenMigrator(ctx, s.apiConfig(e))
}

// migrationsFormat is --migrations-format, with the Supabase CLI's directory recognised by its
// path: its files are named as steady's are.
func (s *migrateSettings) migrationsFormat() (migfiles.Format, error) {
	f, err := migfiles.ParseFormat(s.format)
	if err != nil {
		return "", usageErr(fmt.Errorf("--migrations-format / STEADY_MIGRATIONS_FORMAT: %w", err))
	}
	if f == "" && s.dir != "" {
		if abs, err := filepath.Abs(s.dir); err == nil && strings.HasSuffix(filepath.ToSlash(abs), "supabase/migrations") {
			f = migfiles.FormatSupabase
		}
	}
	return f, nil
}

func formatNames() string {
	names := make([]string, len(migfiles.Formats))
	for i, f := range migfiles.Formats {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// shadowSettings reads the shadow's settings; a setup file that cannot be read is bad input.
func (s *migrateSettings) shadowSettings() (shadow.Settings, error) {
	out := shadow.Settings{Off: s.shadow == "off", URL: s.shadowURL, SetupFile: s.shadowSetup}
	if s.shadowSetup != "" {
		b, err := os.ReadFile(s.shadowSetup)
		if err != nil {
			return out, usageErr(fmt.Errorf("--shadow-setup / STEADY_SHADOW_SETUP: %w", err))
		}
		out.Setup = string(b)
	}
	return out, nil
}

func migrateCommand(c *cli) *cobra.Command {
	s := newMigrateSettings(c)
	var dryRun, asJSON bool
	return c.command(&cobra.Command{
		Use:   "migrate [--strict] [--dry-run] [--json]",
		Short: "bring the database to the current schema (reconcile what exists, run what is missing)",
		Long: `Plans every migration against one catalog snapshot: recorded → verify; every effect present →
record as reconciled and run nothing; nothing present → run; some present → run only the missing
statements. Takes a lease (safe through a transaction pooler) only when there is work. Then
migrates River's schema under the same lease.

Before each migration runs, steady lint checks the statements it will run against the catalog
(see steady help lint) and logs every finding; --dry-run prints them. With --strict a
migration that has an error finding is refused and nothing after it is applied (exit 1, the log
names file, line, rule and the safe way); without it the migration runs, and its findings are
logged loudly, kept in its evidence (steady status) and shown on the worker's /readyz.

Exit policy: 0 whatever happens (failures are logged loudly and recorded), as the Python
migration runner promised ("never fails deployment"); with --strict, 1 on a failure and 4 on
drift. Bad input (flags, settings, a migration that does not parse) exits 2 and applies nothing,
as do URLs that reach the wrong places: a DIRECT that migrations would use reaching another
server or database than the POOLER, or a POOLER reaching a hot standby or read-only sessions.
A DIRECT that is a standby or read-only is not used: migrations go through the POOLER, and the
decision line says why.`,
		Args: noArgs,
	}, append(s.settings(),
		setting{"strict", "STEADY_STRICT", "exit non-zero on failure (1) or drift (4); refuse a migration with a lint error", boolean(&s.strict, false)},
		setting{"dry-run", "", "print the plan and change nothing", boolean(&dryRun, false)},
		setting{"json", "", "print the result as JSON", boolean(&asJSON, false)},
	),
		func(ctx context.Context, e *env, _ []string) error {
			m, err := s.open(ctx, e)
			if err != nil {
				var ee *exitError
				var ie *api.InputError
				if errors.As(err, &ee) || errors.As(err, &ie) || s.strict {
					return err
				}
				e.log.logger.Error("❌ migrate could not run (exit 0: --strict not set)", "error", err)
				return nil
			}
			defer m.Close()
			res, runErr := m.Migrate(ctx, api.MigrateOpts{DryRun: dryRun})
			if res.ExitCode() == exitUsage {
				return usageErr(runErr) // a migration that cannot be read or parsed: nothing was applied
			}
			if asJSON {
				if err := writeJSON(e.stdout, res); err != nil {
					return err
				}
			} else if dryRun && !res.Unchanged {
				printPlan(e.stdout, res.Migrations)
				if res.PendingLint != nil && len(res.PendingLint.Findings) > 0 {
					fmt.Fprintln(e.stdout, "\nLint of the migrations to run, against this database:")
					if err := res.PendingLint.WriteText(e.stdout); err != nil {
						return err
					}
				}
			}
			if !asJSON {
				fmt.Fprintln(e.stdout, res.Summary)
			}
			switch code := res.ExitCode(); {
			case code == exitFailure:
				return &exitError{code: exitFailure, err: runErr}
			case runErr != nil:
				e.log.logger.Error("❌ migrations failed (exit 0: --strict not set)", "error", runErr)
			case code == exitDrift:
				return &exitError{code: exitDrift, err: fmt.Errorf("%d migrations show drift", res.Drift)}
			}
			return nil
		})
}

func printPlan(w io.Writer, ms []api.Migration) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tACTION\tSTATE\tEVIDENCE")
	for _, mp := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mp.Version, mp.Name, mp.Action, mp.State, shortEvidence(mp.Evidence))
	}
	tw.Flush()
}

// shortEvidence fits the evidence on one line.
func shortEvidence(ev migrate.Evidence) string {
	var parts []string
	add := func(label string, vals []string, detail bool) {
		if len(vals) == 0 {
			return
		}
		if detail {
			parts = append(parts, fmt.Sprintf("%s: %s", label, strings.Join(vals, "; ")))
		} else {
			parts = append(parts, fmt.Sprintf("%d %s", len(vals), label))
		}
	}
	if ev.RecordedBy != "" {
		parts = append(parts, "recorded by "+ev.RecordedBy)
	}
	if ev.Inferred != "" {
		parts = append(parts, ev.Inferred)
	}
	add("found", ev.Found, false)
	add("missing", ev.Missing, true)
	add("skipped", ev.Skipped, false)
	add("superseded", ev.Superseded, false)
	add("unverifiable", ev.Unverifiable, true)
	add("drift", ev.Drift, true)
	add("conflicts", ev.Conflicts, true)
	add("lint", ev.Lint, true)
	return strings.Join(parts, ", ")
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// badMigrations reports an error that is the migration files' fault (unreadable, does not
// parse): bad input, and nothing was applied.
func badMigrations(err error) bool { return migrate.IsBadInput(err) }
