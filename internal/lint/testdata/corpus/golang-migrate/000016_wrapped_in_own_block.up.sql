BEGIN;
CREATE TABLE IF NOT EXISTS feature_flags (
    key text PRIMARY KEY,
    enabled boolean NOT NULL DEFAULT false
);
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS beta boolean;
COMMIT;
