-- migrate:up
-- NOT VALID: new comments are checked at once; the old ones in the next migration, without
-- holding the table lock for the scan.
ALTER TABLE comments ADD CONSTRAINT comments_body_length CHECK (char_length(body) <= 5000) NOT VALID;

-- migrate:down
ALTER TABLE comments DROP CONSTRAINT comments_body_length;
