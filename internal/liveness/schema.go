package liveness

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// schemaVersion is recorded as the table's comment by the last statement: one catalog read
// tells whether anything is left to do. A change appends statements and bumps it.
const schemaVersion = "steady workers v1"

var schema = []string{
	`CREATE TABLE IF NOT EXISTS steady_workers (
	id              text PRIMARY KEY,
	host            text NOT NULL,
	pid             integer NOT NULL,
	host_key        text NOT NULL DEFAULT '',
	started_at      timestamptz NOT NULL DEFAULT now(),
	heartbeat_at    timestamptz NOT NULL DEFAULT now(),
	heartbeat_every interval NOT NULL,
	dead_after      interval NOT NULL,
	dead_at         timestamptz,
	dead_reason     text
)`,
	`COMMENT ON COLUMN steady_workers.id IS 'the worker''s River client id (river_job.attempted_by)'`,
	`COMMENT ON COLUMN steady_workers.host_key IS 'boot id and pid namespace: rows with the same key share a process table'`,
	`COMMENT ON TABLE steady_workers IS '` + schemaVersion + `'`,
}

// schemaLockKey serialises EnsureSchema across processes ("steadyw" in ASCII).
const schemaLockKey int64 = 0x73746561647977

// EnsureSchema creates steady_workers when needed. Racing creators serialise on a
// transaction-scoped advisory lock, which holds through a transaction pooler; the DDL runs with
// a lock_timeout like every DDL.
func EnsureSchema(ctx context.Context, pool *pgxpool.Pool) error {
	var current bool
	err := pool.QueryRow(ctx, `SELECT coalesce(obj_description(to_regclass('steady_workers'), 'pg_class') = $1, false)`,
		schemaVersion).Scan(&current)
	if err != nil {
		return fmt.Errorf("worker registry: %w", err)
	}
	if current {
		return nil
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', '5s', true), pg_advisory_xact_lock($1)`, schemaLockKey); err != nil {
			return err
		}
		for _, stmt := range schema {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create worker registry (steady_workers): %w", err)
	}
	return nil
}

// missingTable reports an error caused by steady_workers (or river_job) not existing yet.
func missingTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42P01"
}
