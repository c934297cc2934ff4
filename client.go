package steady

import (
	"cmp"
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/steadydb/steady/internal/backfills"
	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/liveness"
)

// Client starts, follows and steers backfills and index builds on one database through its
// POOLER. It inserts River jobs and reads steady's tables; a worker (steady worker) does the
// work. Its methods are safe for concurrent use.
type Client struct {
	cfg    Config
	cats   *Catalogs
	pools  *dbconn.Pools
	river  *river.Client[pgx.Tx]
	tables *bookkeeping.Tables
	store  *backfills.Store
}

// Open reads the catalogs, opens the POOLER pool (one connection decision, no DIRECT probe) and
// an insert-only River client on it. Bad settings or catalog files are an *InputError and
// nothing connects.
func Open(ctx context.Context, cfg Config) (*Client, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	cats, err := LoadCatalogs(cfg)
	if err != nil {
		return nil, err
	}
	pools, err := dbconn.Open(ctx, cfg.db(), dbconn.OpenOpts{})
	if err != nil {
		return nil, fmt.Errorf("open the POOLER: %w", err)
	}
	// Insert-only: no queues, no workers. It never listens, so it is safe behind any pooler.
	rc, err := river.NewClient(riverpgxv5.New(pools.Pooler.Pool), &river.Config{Logger: cfg.logger(), Schema: pools.Schema.Name()})
	if err != nil {
		pools.Close()
		return nil, fmt.Errorf("river client: %w", err)
	}
	tables, err := bookkeeping.New(bookkeeping.Config{Pool: pools.Pooler.Pool, Schema: pools.Schema.Name(), Logger: cfg.logger()})
	if err != nil {
		pools.Close()
		return nil, err
	}
	store := backfills.NewStore(pools.Pooler.Pool, tables, cats.c.Backfills).
		WithStalledAfter(cmp.Or(cfg.StalledAfter, backfills.DefaultStalledAfter))
	return &Client{cfg: cfg, cats: cats, pools: pools, river: rc, tables: tables, store: store}, nil
}

// Close closes the pools.
func (c *Client) Close() { c.pools.Close() }

// Catalogs are the client's backfill and index catalogs.
func (c *Client) Catalogs() *Catalogs { return c.cats }

// Schema is the schema of steady's tables and River's.
func (c *Client) Schema() string { return c.pools.Schema.Name() }

// Workers is every registered worker at one instant of the server's clock: the live ones,
// those dead within the last day, the latest heartbeat. Summary says it in one line.
type Workers = liveness.Census

// Worker is one registered worker (its River client id, host, pid, heartbeat).
type Worker = liveness.Worker

// Workers reads the registered workers.
func (c *Client) Workers(ctx context.Context) (Workers, error) {
	return liveness.Read(ctx, c.pools.Pooler, c.pools.Schema)
}

// ensure makes or upgrades steady's tables before a write: no worker needs to have run.
func (c *Client) ensure(ctx context.Context) error { return c.tables.Ensure(ctx) }
