package backfills

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The bookkeeping is steady's own, like schema_migrations and the migration lease: it is created
// by the code that uses it, not shipped among the product's migrations. Every statement is
// idempotent. A change appends statements (ADD COLUMN IF NOT EXISTS …) and bumps schemaVersion,
// which the last statement records as the runs table's comment: one catalog read tells whether
// anything is left to do.
const schemaVersion = "steady backfill bookkeeping v4"

var schema = []string{
	`CREATE TABLE IF NOT EXISTS steady_backfill_runs (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	backfill   text NOT NULL,
	slices     integer NOT NULL CHECK (slices >= 1),
	trigger    text NOT NULL CHECK (trigger IN ('manual', 'schedule', 'start')),
	slot       timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
)`,
	// One run per scheduled time, however many replicas, restarts or River cleanups.
	`CREATE UNIQUE INDEX IF NOT EXISTS steady_backfill_runs_slot_key
	ON steady_backfill_runs (backfill, slot) WHERE slot IS NOT NULL`,
	`CREATE INDEX IF NOT EXISTS steady_backfill_runs_backfill_idx ON steady_backfill_runs (backfill, id)`,
	`CREATE TABLE IF NOT EXISTS steady_backfill_slices (
	run_id         bigint NOT NULL REFERENCES steady_backfill_runs (id) ON DELETE CASCADE,
	slice          integer NOT NULL,
	key_from       bigint NOT NULL,
	key_to         bigint NOT NULL,
	cursor_key     bigint NOT NULL,
	state          text NOT NULL DEFAULT 'pending'
	               CHECK (state IN ('pending', 'running', 'paused', 'done', 'failed', 'cancelled')),
	rows_done      bigint NOT NULL DEFAULT 0,
	rows_remaining bigint,
	rate_per_s     double precision NOT NULL DEFAULT 0,
	batch_size     bigint NOT NULL DEFAULT 0,
	batches        bigint NOT NULL DEFAULT 0,
	job_id         bigint,
	job_gen        integer NOT NULL DEFAULT 0,
	throttled      text,
	error          text,
	started_at     timestamptz,
	updated_at     timestamptz NOT NULL DEFAULT now(),
	finished_at    timestamptz,
	PRIMARY KEY (run_id, slice),
	CHECK (key_from <= cursor_key AND cursor_key <= key_to)
)`,
	`COMMENT ON TABLE steady_backfill_slices IS 'steady: one row per key-range slice of a backfill run; '
	'cursor_key is the checkpoint (every key <= it is done), committed with each batch'`,
	// v2: resumed slices get a job of a new generation (store.go, Resume).
	`ALTER TABLE steady_backfill_slices ADD COLUMN IF NOT EXISTS job_gen integer NOT NULL DEFAULT 0`,
	// v3: each attempt that claims the slice takes a new lease; a checkpoint is written only
	// under the current one (runner.go), so a worker that lost its slice cannot write.
	`ALTER TABLE steady_backfill_slices ADD COLUMN IF NOT EXISTS lease bigint NOT NULL DEFAULT 0`,
	// v4: time worked and time held back by reason (seconds), for the throttled share in status.
	`ALTER TABLE steady_backfill_slices ADD COLUMN IF NOT EXISTS active_s double precision NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS throttled_s jsonb NOT NULL DEFAULT '{}'`,
	`COMMENT ON TABLE steady_backfill_runs IS '` + schemaVersion + `'`,
}

// EnsureSchema creates or upgrades the bookkeeping tables when needed. Racing creators serialise
// on a transaction-scoped advisory lock, which holds through a transaction pooler (a session
// lock would not: docs/architecture.md, fact 4); the DDL runs with a lock_timeout.
func EnsureSchema(ctx context.Context, pool *pgxpool.Pool) error {
	var current bool
	err := pool.QueryRow(ctx, `SELECT coalesce(obj_description(to_regclass('steady_backfill_runs'), 'pg_class') = $1, false)`,
		schemaVersion).Scan(&current)
	if err != nil {
		return fmt.Errorf("backfill bookkeeping: %w", err)
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
		return fmt.Errorf("create backfill bookkeeping (steady_backfill_runs, steady_backfill_slices): %w", err)
	}
	return nil
}

// schemaLockKey is the advisory lock that serialises EnsureSchema ("steadyb" in ASCII).
const schemaLockKey int64 = 0x73746561647962
