-- migrate:up
DELETE FROM comments WHERE status = 'spam';
INSERT INTO canary (migration, step) VALUES ('20240610110000', 'delete spam');

-- migrate:down
-- Deleted spam does not come back; the schema did not change.
