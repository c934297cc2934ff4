-- migrate:up
CREATE TYPE comment_status AS ENUM ('pending', 'approved');

ALTER TABLE comments ADD COLUMN status comment_status NOT NULL DEFAULT 'pending';

-- Comments carried over from the old engine were all visible there.
UPDATE comments SET status = 'approved';
INSERT INTO canary (migration, step) VALUES ('20240226100000', 'approve imported comments');

-- migrate:down
ALTER TABLE comments DROP COLUMN status;
DROP TYPE comment_status;
