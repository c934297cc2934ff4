-- migrate:up
-- danger: deletes every soft-deleted row (most of the table) in one transaction
-- expect: warning unbatched-backfill
DELETE FROM comments WHERE deleted_at IS NOT NULL;

-- migrate:down
SELECT 1;
