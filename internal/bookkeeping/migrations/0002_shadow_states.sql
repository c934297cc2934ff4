-- The schema each prefix of a migration history leaves, as a shadow database computed it
-- (package migrate, replay.go), kept by the history's digest: a second adoption of the same
-- files replays nothing.
CREATE TABLE IF NOT EXISTS /* TEMPLATE: schema */steady_shadow_states (
	digest     text PRIMARY KEY,
	files      integer NOT NULL,
	states     bytea NOT NULL, -- gzip of JSON: the first state and what each file changed
	replay_ms  bigint NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE /* TEMPLATE: schema */steady_shadow_states IS 'steady: the schema after each prefix of a migration history, computed on a shadow database, by the history''s digest';
