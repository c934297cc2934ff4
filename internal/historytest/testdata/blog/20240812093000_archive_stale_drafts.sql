-- migrate:up
-- Drafts untouched for three months go to the archive.
DO $$
BEGIN
    UPDATE posts SET status = 'archived'
    WHERE status = 'draft' AND created_at < now() - interval '90 days';
    INSERT INTO canary (migration, step) VALUES ('20240812093000', 'archive stale drafts');
END
$$;

-- migrate:down
-- Which drafts were archived here is not recorded; the schema did not change.
