-- +goose Up
-- "events" becomes the webhook outbox; the activity trail keeps its rows under a clearer name.
ALTER TABLE events RENAME TO audit_events;
ALTER SEQUENCE events_id_seq RENAME TO audit_events_id_seq;
ALTER TABLE audit_events RENAME CONSTRAINT events_pkey TO audit_events_pkey;
ALTER TABLE audit_events RENAME CONSTRAINT events_account_id_fkey TO audit_events_account_id_fkey;
ALTER TABLE audit_events RENAME CONSTRAINT events_actor_id_fkey TO audit_events_actor_id_fkey;
ALTER INDEX events_account_id_created_at_idx RENAME TO audit_events_account_id_created_at_idx;

CREATE TABLE events (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    topic text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);

-- The publisher polls for what it has not sent yet.
CREATE INDEX events_unpublished_idx ON events (created_at) WHERE published_at IS NULL;

-- +goose Down
DROP TABLE events;
ALTER INDEX audit_events_account_id_created_at_idx RENAME TO events_account_id_created_at_idx;
ALTER TABLE audit_events RENAME CONSTRAINT audit_events_actor_id_fkey TO events_actor_id_fkey;
ALTER TABLE audit_events RENAME CONSTRAINT audit_events_account_id_fkey TO events_account_id_fkey;
ALTER TABLE audit_events RENAME CONSTRAINT audit_events_pkey TO events_pkey;
ALTER SEQUENCE audit_events_id_seq RENAME TO events_id_seq;
ALTER TABLE audit_events RENAME TO events;
