package wiring

import (
	"context"

	"go.uber.org/fx"

	"github.com/steadydb/steady/internal/dbconn"
)

// DBModule provides the process's pools, opened once: the probe runs here and nowhere else.
var DBModule = fx.Module("db",
	fx.Provide(newPools),
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
