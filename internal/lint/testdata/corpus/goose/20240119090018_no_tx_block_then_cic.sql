-- +goose NO TRANSACTION
-- +goose Up
BEGIN;
ALTER TABLE messages ADD COLUMN IF NOT EXISTS read_at timestamptz;
ALTER TABLE messages ADD COLUMN IF NOT EXISTS delivered_at timestamptz;
COMMIT;
CREATE INDEX CONCURRENTLY IF NOT EXISTS messages_unread_idx ON messages (recipient_id) WHERE read_at IS NULL;

-- +goose Down
DROP INDEX IF EXISTS messages_unread_idx;
