DROP INDEX IF EXISTS documents_archived_at_idx;
