BEGIN;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS archived_at timestamptz;
-- danger: CONCURRENTLY inside the file's own transaction block fails (25001)
-- expect: error ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY documents_archived_at_idx ON documents (archived_at);
COMMIT;
