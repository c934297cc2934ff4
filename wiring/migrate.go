package wiring

import (
	"context"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/lint"
	"github.com/steadydb/steady/internal/migfiles"
	"github.com/steadydb/steady/internal/migrate"
	"github.com/steadydb/steady/internal/shadow"
)

// MigrateConfig configures the worker's migration step.
type MigrateConfig struct {
	Source      fs.FS
	Format      migfiles.Format // the files' format; "" detects it
	LockTimeout time.Duration
	LeaseTTL    time.Duration // how long a killed worker's lease blocks the next; default 30s
	Strict      bool          // a failed step stops the worker (exit 1) instead of being reported
	Lint        *lint.Linter  // lints each migration before it runs (refused under Strict); nil: no lint
	Shadow      shadow.Settings
}

// Migrated is the migration step's outcome. Depending on it is how a component says "start
// after migrations": its start hook is appended after the step's, which runs synchronously.
type Migrated struct {
	mu   sync.Mutex
	res  *migrate.Result
	err  error
	done bool
	gate *lint.Gate
}

// LintFindings are the lint errors and warnings of the migrations the step ran (not strict).
func (m *Migrated) LintFindings() []string {
	if m.gate == nil {
		return nil
	}
	return m.gate.AppliedFindings()
}

// Outcome returns the step's result and error, and whether it has finished.
func (m *Migrated) Outcome() (*migrate.Result, error, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.res, m.err, m.done
}

// MigrateModule runs the migration step at start, before anything that depends on Migrated.
var MigrateModule = fx.Module("migrate",
	fx.Provide(newMigrated),
)

func newMigrated(lc fx.Lifecycle, cfg WorkerConfig, pools *dbconn.Pools, tables *bookkeeping.Tables, log *slog.Logger) (*Migrated, error) {
	out := &Migrated{}
	mcfg := migrate.Config{
		Pool: pools.Migration.Pool, TransactionPooled: pools.Migration.Pooled(), Tables: tables,
		Migrations: cfg.Migrate.Source, Format: cfg.Migrate.Format, Logger: log, LockTimeout: cfg.Migrate.LockTimeout, LeaseTTL: cfg.Migrate.LeaseTTL,
		Shadow: migrate.ShadowConfig{Open: cfg.Migrate.Shadow.Opener(pools, log), Setup: cfg.Migrate.Shadow.Setup,
			SetupFile: cfg.Migrate.Shadow.SetupFile},
	}
	if cfg.Migrate.Lint != nil {
		out.gate = lint.NewGate(cfg.Migrate.Lint, cfg.Migrate.Strict, log).WithProbe(lint.PoolProbe{Pool: pools.Pooler.Pool})
		mcfg.Gate = out.gate.Check
	}
	m, err := migrate.New(mcfg)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StartHook(func(ctx context.Context) error {
		res, err := m.Migrate(ctx, migrate.Opts{})
		out.mu.Lock()
		out.res, out.err, out.done = res, err, true
		out.mu.Unlock()
		if err != nil {
			if cfg.Migrate.Strict {
				return err
			}
			// The Python migration runner's policy: never fail the deployment; readiness reports it.
			log.Error("❌ migration step failed; the worker keeps running (STEADY_STRICT=false)", slog.Any("error", err))
		}
		return nil
	}))
	return out, nil
}
