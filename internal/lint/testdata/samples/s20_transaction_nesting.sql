-- A migration written for a runner that does not open a transaction itself.
BEGIN;

ALTER TABLE leads
    ADD COLUMN archived_at timestamptz;

COMMIT;
