-- migrate:up
ALTER TABLE posts ADD COLUMN reading_minutes smallint;

UPDATE posts SET reading_minutes = greatest(1, word_count / 200);
INSERT INTO canary (migration, step) VALUES ('20240401093000', 'estimate reading time');

-- migrate:down
ALTER TABLE posts DROP COLUMN reading_minutes;
