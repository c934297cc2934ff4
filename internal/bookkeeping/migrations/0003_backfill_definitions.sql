-- Backfill definitions (package backfills): each run keeps the file it was started with here,
-- by its checksum, so that any worker runs it after the command that started it has exited,
-- after a restart, and whatever catalog that worker read; an ad hoc file in no catalog has no
-- other home. Job arguments name the run, never carry SQL. Every statement may run again: tables
-- an older steady made without steady_schema_versions are brought up by running every version.
CREATE TABLE IF NOT EXISTS /* TEMPLATE: schema */steady_backfill_definitions (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name       text NOT NULL,
	file       text NOT NULL,   -- as the command was given it, for messages
	source     text NOT NULL,   -- the whole file, read again by the worker
	checksum   text NOT NULL,   -- sha256 of source, hex: a changed row is refused, not run
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (name, checksum)
);
COMMENT ON TABLE /* TEMPLATE: schema */steady_backfill_definitions IS 'steady: the files backfill runs were started with, by name and sha256';

ALTER TABLE /* TEMPLATE: schema */steady_backfill_runs
	ADD COLUMN IF NOT EXISTS definition_id bigint REFERENCES /* TEMPLATE: schema */steady_backfill_definitions (id),
	-- The key range asked for (--from, --to), NULL for the whole table as it was at the start.
	ADD COLUMN IF NOT EXISTS key_from bigint,
	ADD COLUMN IF NOT EXISTS key_to bigint,
	DROP CONSTRAINT IF EXISTS steady_backfill_runs_trigger_check,
	ADD CONSTRAINT steady_backfill_runs_trigger_check CHECK (trigger IN ('manual', 'schedule', 'start', 'adhoc'));
CREATE INDEX IF NOT EXISTS steady_backfill_runs_definition_idx ON /* TEMPLATE: schema */steady_backfill_runs (definition_id) WHERE definition_id IS NOT NULL;
