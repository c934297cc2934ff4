-- steady's own tables as the release before the versioned set made them (each component's
-- CREATE … IF NOT EXISTS, ADD COLUMN IF NOT EXISTS and version comment, copied from that
-- release's internal/migrate, internal/liveness, internal/backfill and internal/indexbuild),
-- all in public, with a row in each.

CREATE TABLE schema_migrations (
	version     text PRIMARY KEY,
	name        text NOT NULL,
	checksum    text,
	applied_at  timestamptz NOT NULL DEFAULT now(),
	reconciled  boolean NOT NULL DEFAULT false,
	evidence    jsonb NOT NULL DEFAULT '{}',
	duration_ms bigint NOT NULL DEFAULT 0
);
INSERT INTO schema_migrations (version, name, checksum) VALUES ('0001', 'create_notes', 'sha256:before');

CREATE TABLE schema_migrations_failures (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	version   text NOT NULL,
	name      text NOT NULL,
	failed_at timestamptz NOT NULL DEFAULT now(),
	statement text NOT NULL,
	error     text NOT NULL
);
ALTER TABLE schema_migrations_failures ALTER COLUMN version TYPE text USING version::text;
INSERT INTO schema_migrations_failures (version, name, statement, error)
VALUES ('0002', 'add_index', '0002_add_index.sql:1 CREATE INDEX', 'canceling statement due to lock timeout');

CREATE TABLE schema_migrations_state (
	id              int PRIMARY KEY CHECK (id = 1),
	catalog_version text NOT NULL,
	files_checksum  text NOT NULL,
	history_digest  text NOT NULL DEFAULT '',
	verified_at     timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE schema_migrations_state ADD COLUMN IF NOT EXISTS history_digest text NOT NULL DEFAULT '';
INSERT INTO schema_migrations_state (id, catalog_version, files_checksum, history_digest)
VALUES (1, 'catalog-before', 'files-before', '1:42');

CREATE TABLE steady_migration_lease (
	id          int PRIMARY KEY CHECK (id = 1),
	holder      text NOT NULL,
	acquired_at timestamptz NOT NULL DEFAULT now(),
	expires_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS steady_workers (
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
COMMENT ON COLUMN steady_workers.id IS 'the worker''s River client id (river_job.attempted_by)';
COMMENT ON COLUMN steady_workers.host_key IS 'boot id and pid namespace: rows with the same key share a process table';
COMMENT ON TABLE steady_workers IS 'steady workers v1';
INSERT INTO steady_workers (id, host, pid, heartbeat_every, dead_after, dead_at, dead_reason)
VALUES ('steady.before.7.0000abcd', 'before', 7, interval '5 seconds', interval '20 seconds', now(), 'stopped');

CREATE TABLE IF NOT EXISTS steady_backfill_runs (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	backfill   text NOT NULL,
	slices     integer NOT NULL CHECK (slices >= 1),
	trigger    text NOT NULL CHECK (trigger IN ('manual', 'schedule', 'start')),
	slot       timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS steady_backfill_runs_slot_key
	ON steady_backfill_runs (backfill, slot) WHERE slot IS NOT NULL;
CREATE INDEX IF NOT EXISTS steady_backfill_runs_backfill_idx ON steady_backfill_runs (backfill, id);
CREATE TABLE IF NOT EXISTS steady_backfill_slices (
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
);
COMMENT ON TABLE steady_backfill_slices IS 'steady: one row per key-range slice of a backfill run; '
	'cursor_key is the checkpoint (every key <= it is done), committed with each batch';
ALTER TABLE steady_backfill_slices ADD COLUMN IF NOT EXISTS job_gen integer NOT NULL DEFAULT 0;
ALTER TABLE steady_backfill_slices ADD COLUMN IF NOT EXISTS lease bigint NOT NULL DEFAULT 0;
ALTER TABLE steady_backfill_slices ADD COLUMN IF NOT EXISTS active_s double precision NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS throttled_s jsonb NOT NULL DEFAULT '{}';
COMMENT ON TABLE steady_backfill_runs IS 'steady backfill bookkeeping v4';
INSERT INTO steady_backfill_runs (backfill, slices, trigger) VALUES ('leads-last-call', 1, 'manual');
INSERT INTO steady_backfill_slices (run_id, slice, key_from, key_to, cursor_key, state, rows_done, lease, active_s, throttled_s)
VALUES (1, 0, 1, 1000, 500, 'paused', 499, 3, 12.5, '{"lock_waiters": 1.5}');

CREATE TABLE IF NOT EXISTS steady_index_reloptions (
	table_name       text PRIMARY KEY,
	parallel_workers text, -- the table's own value before steady's builds; NULL: not set
	set_at           timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE steady_index_reloptions IS 'steady: tables whose parallel_workers an index build changed, with their own value to put back';
INSERT INTO steady_index_reloptions (table_name, parallel_workers) VALUES ('leads', '4');
