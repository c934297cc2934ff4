ALTER TABLE subscriptions ADD COLUMN IF NOT EXISTS paused boolean;
-- danger: the file must run outside a transaction for the CIC, so the ALTER loses its all-or-nothing
-- expect: warning ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS subscriptions_paused_idx ON subscriptions (paused) WHERE paused;
