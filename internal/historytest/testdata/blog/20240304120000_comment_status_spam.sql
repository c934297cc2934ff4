-- migrate:up
-- The new value cannot be used in this transaction: the next migration flags the spam.
ALTER TYPE comment_status ADD VALUE 'spam';

-- migrate:down
UPDATE comments SET status = 'pending' WHERE status = 'spam';
INSERT INTO canary (migration, step) VALUES ('20240304120000', 'down: spam back to pending');

ALTER TYPE comment_status RENAME TO comment_status_old;
CREATE TYPE comment_status AS ENUM ('pending', 'approved');
ALTER TABLE comments ALTER COLUMN status DROP DEFAULT;
ALTER TABLE comments ALTER COLUMN status TYPE comment_status USING status::text::comment_status;
ALTER TABLE comments ALTER COLUMN status SET DEFAULT 'pending';
DROP TYPE comment_status_old;
