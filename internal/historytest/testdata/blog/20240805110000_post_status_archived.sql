-- migrate:up
-- Same constraint name, another definition: posts can be archived.
ALTER TABLE posts DROP CONSTRAINT posts_status_check;
ALTER TABLE posts ADD CONSTRAINT posts_status_check CHECK (status IN ('draft', 'published', 'archived'));

-- migrate:down
UPDATE posts SET status = 'draft' WHERE status = 'archived';
INSERT INTO canary (migration, step) VALUES ('20240805110000', 'down: unarchive');

ALTER TABLE posts DROP CONSTRAINT posts_status_check;
ALTER TABLE posts ADD CONSTRAINT posts_status_check CHECK (status IN ('draft', 'published'));
