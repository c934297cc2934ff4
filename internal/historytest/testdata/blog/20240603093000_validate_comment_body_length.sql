-- migrate:up
ALTER TABLE comments VALIDATE CONSTRAINT comments_body_length;

-- migrate:down
ALTER TABLE comments DROP CONSTRAINT comments_body_length;
ALTER TABLE comments ADD CONSTRAINT comments_body_length CHECK (char_length(body) <= 5000) NOT VALID;
