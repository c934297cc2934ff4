package cli

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/steadydb/steady/internal/dbconn"
)

// openInsertClient opens the POOLER pool and an insert-only River client on it: commands that
// enqueue (admin scripts) need no worker running.
func openInsertClient(ctx context.Context, e *env, db *dbconn.Config) (*river.Client[pgx.Tx], *dbconn.Pools, error) {
	db.Logger = e.log.logger
	pools, err := dbconn.Open(ctx, *db, dbconn.OpenOpts{})
	if err != nil {
		return nil, nil, err
	}
	client, err := river.NewClient(riverpgxv5.New(pools.Pooler.Pool), &river.Config{Logger: e.log.logger, Schema: pools.Schema.Name()})
	if err != nil {
		pools.Close()
		return nil, nil, err
	}
	return client, pools, nil
}
