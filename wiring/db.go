package wiring

import (
	"context"
	"log/slog"

	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/dbconn"
)

// DBModule provides the process's pools, opened once: the probe runs here and nowhere else.
var DBModule = fx.Module("db",
	fx.Provide(newPools, newTables),
	// Open at startup even before anything asks: the connection decision comes first.
	fx.Invoke(func(*dbconn.Pools) {}),
)

func newPools(lc fx.Lifecycle, cfg WorkerConfig) (*dbconn.Pools, error) {
	pools, err := dbconn.Open(context.Background(), cfg.DB, dbconn.OpenOpts{Migrate: true, Detect: true})
	if err != nil {
		return nil, err
	}
	lc.Append(fx.StopHook(pools.Close))
	return pools, nil
}

// newTables is steady's own tables for the whole process: every component ensures them through
// it, so only the first pays the round trip. They are made on the migration role's pool.
func newTables(cfg WorkerConfig, pools *dbconn.Pools, log *slog.Logger) (*bookkeeping.Tables, error) {
	return bookkeeping.New(bookkeeping.Config{Pool: pools.Migration.Pool, Schema: pools.Schema.Name(),
		LeaseTTL: cfg.Migrate.LeaseTTL, Logger: log})
}
