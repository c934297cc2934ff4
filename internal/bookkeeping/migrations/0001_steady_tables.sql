-- steady's own tables as one set. Releases before it made each table on its own, in the
-- public schema; every statement here takes over what they left, in any of their shapes
-- (IF EXISTS, IF NOT EXISTS, ADD COLUMN IF NOT EXISTS), so that an existing database upgrades
-- in place. Later versions start from this one's shape and need none of that.
-- steady_migration_lease is made before this runs (its lease guards it): bookkeeping/lease.go.

CREATE TABLE IF NOT EXISTS /* TEMPLATE: schema */steady_schema_versions (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE /* TEMPLATE: schema */steady_schema_versions IS 'steady: the versions of its own tables applied here, one row each';

-- A failed user migration, for status and readiness: schema_migrations_failures until now.
ALTER TABLE IF EXISTS /* TEMPLATE: schema */schema_migrations_failures RENAME TO steady_migration_failures;
ALTER SEQUENCE IF EXISTS /* TEMPLATE: schema */schema_migrations_failures_id_seq RENAME TO steady_migration_failures_id_seq;
ALTER INDEX IF EXISTS /* TEMPLATE: schema */schema_migrations_failures_pkey RENAME TO steady_migration_failures_pkey;
CREATE TABLE IF NOT EXISTS /* TEMPLATE: schema */steady_migration_failures (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	version   text NOT NULL,
	name      text NOT NULL,
	failed_at timestamptz NOT NULL DEFAULT now(),
	statement text NOT NULL,
	error     text NOT NULL
);
-- The oldest releases kept versions as bigint; text holds Flyway's 1.1 (no rewrite when text).
ALTER TABLE /* TEMPLATE: schema */steady_migration_failures ALTER COLUMN version TYPE text USING version::text;

-- The stamp of the last clean verification (migrate's one-round-trip no-op check):
-- schema_migrations_state until now.
ALTER TABLE IF EXISTS /* TEMPLATE: schema */schema_migrations_state RENAME TO steady_migration_state;
ALTER INDEX IF EXISTS /* TEMPLATE: schema */schema_migrations_state_pkey RENAME TO steady_migration_state_pkey;
CREATE TABLE IF NOT EXISTS /* TEMPLATE: schema */steady_migration_state (
	id              int PRIMARY KEY CHECK (id = 1),
	catalog_version text NOT NULL,
	files_checksum  text NOT NULL,
	history_digest  text NOT NULL DEFAULT '',
	verified_at     timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE /* TEMPLATE: schema */steady_migration_state ADD COLUMN IF NOT EXISTS history_digest text NOT NULL DEFAULT '';

-- The worker registry (package liveness).
CREATE TABLE IF NOT EXISTS /* TEMPLATE: schema */steady_workers (
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
);
COMMENT ON TABLE /* TEMPLATE: schema */steady_workers IS 'steady: one row per worker process, its heartbeat and, once declared dead, why';
COMMENT ON COLUMN /* TEMPLATE: schema */steady_workers.id IS 'the worker''s River client id (attempted_by of its jobs)';
COMMENT ON COLUMN /* TEMPLATE: schema */steady_workers.host_key IS 'boot id and pid namespace: rows with the same key share a process table';

-- Backfill runs and their key-range slices (package backfills).
CREATE TABLE IF NOT EXISTS /* TEMPLATE: schema */steady_backfill_runs (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	backfill   text NOT NULL,
	slices     integer NOT NULL CHECK (slices >= 1),
	trigger    text NOT NULL CHECK (trigger IN ('manual', 'schedule', 'start')),
	slot       timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);
-- One run per scheduled time, however many replicas, restarts or River cleanups.
CREATE UNIQUE INDEX IF NOT EXISTS steady_backfill_runs_slot_key
	ON /* TEMPLATE: schema */steady_backfill_runs (backfill, slot) WHERE slot IS NOT NULL;
CREATE INDEX IF NOT EXISTS steady_backfill_runs_backfill_idx ON /* TEMPLATE: schema */steady_backfill_runs (backfill, id);
-- Earlier releases kept their version here; the versions table keeps it now.
COMMENT ON TABLE /* TEMPLATE: schema */steady_backfill_runs IS 'steady: one row per run of a backfill';
CREATE TABLE IF NOT EXISTS /* TEMPLATE: schema */steady_backfill_slices (
	run_id         bigint NOT NULL REFERENCES /* TEMPLATE: schema */steady_backfill_runs (id) ON DELETE CASCADE,
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
);
COMMENT ON TABLE /* TEMPLATE: schema */steady_backfill_slices IS 'steady: one row per key-range slice of a backfill run; '
	'cursor_key is the checkpoint (every key <= it is done), committed with each batch';
-- Columns the releases before this set added one by one: a resumed slice's job generation,
-- the lease each claiming attempt takes (a checkpoint is written only under the current one),
-- and the time worked and held back by reason (seconds), for status's throttled share.
ALTER TABLE /* TEMPLATE: schema */steady_backfill_slices
	ADD COLUMN IF NOT EXISTS job_gen integer NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS lease bigint NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS active_s double precision NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS throttled_s jsonb NOT NULL DEFAULT '{}';

-- Tables whose parallel_workers an index build changed, with their own value (package indexes).
CREATE TABLE IF NOT EXISTS /* TEMPLATE: schema */steady_index_reloptions (
	table_name       text PRIMARY KEY,
	parallel_workers text, -- the table's own value before steady's builds; NULL: not set
	set_at           timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE /* TEMPLATE: schema */steady_index_reloptions IS 'steady: tables whose parallel_workers an index build changed, with their own value to put back';
