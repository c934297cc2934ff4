package wiring

import (
	"context"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/migrate"
)

// MigrateConfig configures the worker's migration step.
type MigrateConfig struct {
	Source      fs.FS
	LockTimeout time.Duration
	LeaseTTL    time.Duration // how long a killed worker's lease blocks the next; default 30s
	Strict      bool          // a failed step stops the worker (exit 1) instead of being reported
}

// Migrated is the migration step's outcome. Depending on it is how a component says "start
// after migrations": its start hook is appended after the step's, which runs synchronously.
type Migrated struct {
	mu   sync.Mutex
	res  *migrate.Result
	err  error
	done bool
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

func newMigrated(lc fx.Lifecycle, cfg WorkerConfig, pools *dbconn.Pools, log *slog.Logger) (*Migrated, error) {
	m, err := migrate.New(migrate.Config{
		Pool: pools.Migration.Pool, TransactionPooled: pools.Migration.Pooled(),
		Migrations: cfg.Migrate.Source, Logger: log, LockTimeout: cfg.Migrate.LockTimeout, LeaseTTL: cfg.Migrate.LeaseTTL,
	})
	if err != nil {
		return nil, err
	}
	out := &Migrated{}
	lc.Append(fx.StartHook(func(ctx context.Context) error {
		res, err := m.Migrate(ctx, migrate.Opts{})
		out.mu.Lock()
		out.res, out.err, out.done = res, err, true
		out.mu.Unlock()
		if err != nil {
			if cfg.Migrate.Strict {
				return err
			}
			// The seed's policy: never fail the deployment; readiness reports it.
			log.Error("❌ migration step failed; the worker keeps running (STEADY_STRICT=false)", slog.Any("error", err))
		}
		return nil
	}))
	return out, nil
}
