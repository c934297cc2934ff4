package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/migrations"
)

// migrateSettings are shared by migrate, status and the worker.
type migrateSettings struct {
	db          *dbconn.Config
	dir         string
	lockTimeout time.Duration
	leaseTTL    time.Duration
	strict      bool
}

func migrateFlags(f *flags) *migrateSettings {
	s := &migrateSettings{db: dbFlags(f)}
	f.string(&s.dir, "migrations-dir", "STEADY_MIGRATIONS_DIR", "", "read migrations from this directory instead of the ones built in")
	f.duration(&s.lockTimeout, "lock-timeout", "STEADY_LOCK_TIMEOUT", 2*time.Second, "lock_timeout of each DDL transaction; lock timeouts are retried with backoff")
	f.duration(&s.leaseTTL, "lease-ttl", "STEADY_MIGRATION_LEASE_TTL", 30*time.Second, "how long the migration lease outlives a killed runner before the next run takes it over")
	return s
}

func (s *migrateSettings) source() (fs.FS, error) {
	// The lease is refreshed every TTL/3: below a second, one slow refresh hands a live run's
	// lease to another runner.
	if s.leaseTTL < time.Second {
		return nil, usageErr(fmt.Errorf("--lease-ttl / STEADY_MIGRATION_LEASE_TTL=%s: want at least 1s", s.leaseTTL))
	}
	if s.dir == "" {
		return migrations.FS, nil
	}
	if st, err := os.Stat(s.dir); err != nil || !st.IsDir() {
		return nil, usageErr(fmt.Errorf("--migrations-dir / STEADY_MIGRATIONS_DIR=%q: not a directory", s.dir))
	}
	return os.DirFS(s.dir), nil
}

// open resolves the connections (probing DIRECT once) and lists the migrations. A migration
// that cannot be read or does not parse is bad input: exit 2, nothing applied.
func (s *migrateSettings) open(ctx context.Context, e *env) (*dbconn.Pools, *migrate.Migrator, error) {
	src, err := s.source()
	if err != nil {
		return nil, nil, err
	}
	if _, err := dbconn.ParsePoolerMode(s.db.PoolerMode); err != nil {
		return nil, nil, usageErr(err) // a bad setting exits 2 even where failures exit 0
	}
	// Names and order now, before connecting; the files are read during the first round trip
	// and parsed when a plan needs them (badMigrations maps those errors to exit 2).
	if _, err := migrate.List(src); err != nil {
		return nil, nil, usageErr(err)
	}
	s.db.Logger = e.log.logger
	pools, err := dbconn.Open(ctx, *s.db, dbconn.OpenOpts{Migrate: true})
	if err != nil {
		return nil, nil, err
	}
	m, err := migrate.New(migrate.Config{
		Pool: pools.Migration.Pool, TransactionPooled: pools.Migration.Pooled(),
		Migrations: src, Logger: e.log.logger, LockTimeout: s.lockTimeout, LeaseTTL: s.leaseTTL,
	})
	if err != nil {
		pools.Close()
		return nil, nil, err
	}
	return pools, m, nil
}

func migrateCommand() *command {
	var dryRun, asJSON bool
	return &command{
		name:  "migrate",
		args:  "[--strict] [--dry-run] [--json]",
		short: "bring the database to the current schema (reconcile what exists, run what is missing)",
		long: `Plans every migration against one catalog snapshot: recorded → verify; every effect present →
record as reconciled and run nothing; nothing present → run; some present → run only the missing
statements. Takes a lease (safe through a transaction pooler) only when there is work. Then
migrates River's schema under the same lease.

Exit policy: 0 whatever happens (failures are logged loudly and recorded), as the seed promised
("never fails deployment"); with --strict, 1 on a failure and 4 on drift. Bad input (flags,
settings, a migration that does not parse) exits 2 and applies nothing.`,
		setup: func(f *flags) func(context.Context, *env, []string) error {
			s := migrateFlags(f)
			f.bool(&s.strict, "strict", "STEADY_STRICT", false, "exit non-zero on failure (1) or drift (4)")
			f.fs.BoolVar(&dryRun, "dry-run", false, "print the plan and change nothing")
			f.fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
			return func(ctx context.Context, e *env, _ []string) error {
				pools, m, err := s.open(ctx, e)
				if err != nil {
					var ee *exitError
					if errors.As(err, &ee) || s.strict {
						return err
					}
					e.log.logger.Error("❌ migrate could not run (exit 0: --strict not set)", "error", err)
					return nil
				}
				defer pools.Close()
				res, runErr := m.Migrate(ctx, migrate.Opts{DryRun: dryRun})
				if badMigrations(runErr) {
					return usageErr(runErr) // a migration that cannot be read or parsed: nothing was applied
				}
				if asJSON {
					if err := writeJSON(e.stdout, resultJSON(res)); err != nil {
						return err
					}
				} else if dryRun && res.Plan != nil {
					printPlan(e.stdout, res.Plan)
				}
				if !asJSON {
					fmt.Fprintln(e.stdout, res.Summary())
				}
				switch {
				case runErr != nil && s.strict:
					return &exitError{code: exitFailure, err: runErr}
				case runErr != nil:
					e.log.logger.Error("❌ migrations failed (exit 0: --strict not set)", "error", runErr)
				case res.Drift > 0 && s.strict:
					return &exitError{code: exitDrift, err: fmt.Errorf("%d migrations show drift", res.Drift)}
				}
				return nil
			}
		},
	}
}

type migrationJSON struct {
	Version  int64            `json:"version"`
	Name     string           `json:"name"`
	State    migrate.State    `json:"state"`
	Action   migrate.Action   `json:"action,omitempty"`
	Evidence migrate.Evidence `json:"evidence"`
}

func resultJSON(res *migrate.Result) any {
	failures := []string{}
	for _, f := range res.Failures {
		failures = append(failures, f.Error())
	}
	return struct {
		Summary      string          `json:"summary"`
		Unchanged    bool            `json:"unchanged"`
		Applied      int             `json:"applied"`
		Reconciled   int             `json:"reconciled"`
		Partial      int             `json:"partial"`
		Failed       int             `json:"failed"`
		Drift        int             `json:"drift"`
		Total        int             `json:"total"`
		DurationMS   int64           `json:"duration_ms"`
		LockTaken    bool            `json:"lock_taken"`
		RiverApplied []int           `json:"river_applied"`
		Failures     []string        `json:"failures"`
		Migrations   []migrationJSON `json:"migrations"`
	}{res.Summary(), res.Unchanged, res.Applied, res.Reconciled, res.Partial, res.Failed, res.Drift, res.Total,
		res.Duration.Milliseconds(), res.LockTaken, res.RiverApplied, failures, migrationsJSON(res.Plan)}
}

func migrationsJSON(p *migrate.Plan) []migrationJSON {
	out := []migrationJSON{}
	if p == nil {
		return out
	}
	for _, mp := range p.Migrations {
		out = append(out, migrationJSON{mp.Version, mp.Name, mp.State, mp.Action, mp.Evidence})
	}
	return out
}

func printPlan(w io.Writer, p *migrate.Plan) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tACTION\tSTATE\tEVIDENCE")
	for _, mp := range p.Migrations {
		fmt.Fprintf(tw, "%04d\t%s\t%s\t%s\t%s\n", mp.Version, mp.Name, mp.Action, mp.State, shortEvidence(mp.Evidence))
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
	add("found", ev.Found, false)
	add("missing", ev.Missing, true)
	add("skipped", ev.Skipped, false)
	add("superseded", ev.Superseded, false)
	add("unverifiable", ev.Unverifiable, true)
	add("drift", ev.Drift, true)
	add("conflicts", ev.Conflicts, true)
	return strings.Join(parts, ", ")
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// badMigrations reports an error that is the migration files' fault (unreadable, does not
// parse): bad input, and nothing was applied.
func badMigrations(err error) bool {
	var pe *fingerprint.ParseError
	return err != nil && (errors.As(err, &pe) || strings.HasPrefix(err.Error(), "load migrations"))
}
