-- migrate:up
-- The book excerpts overflowed smallint.
ALTER TABLE posts ALTER COLUMN reading_minutes TYPE integer;

-- migrate:down
ALTER TABLE posts ALTER COLUMN reading_minutes TYPE smallint;
