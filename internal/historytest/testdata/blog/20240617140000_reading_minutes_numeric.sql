-- migrate:up
-- Half minutes for short posts. The view reads the column: drop it around the change.
DROP VIEW post_feed;

ALTER TABLE posts ALTER COLUMN reading_minutes TYPE numeric(5,1)
    USING round(word_count / 200.0, 1);

CREATE VIEW post_feed AS
SELECT p.id, p.slug, p.title, a.display_name AS author, p.published_at, p.reading_minutes
FROM posts p
JOIN authors a ON a.id = p.author_id
WHERE p.status = 'published';

-- migrate:down
DROP VIEW post_feed;

ALTER TABLE posts ALTER COLUMN reading_minutes TYPE integer USING ceil(reading_minutes)::integer;

CREATE VIEW post_feed AS
SELECT p.id, p.slug, p.title, a.display_name AS author, p.published_at, p.reading_minutes
FROM posts p
JOIN authors a ON a.id = p.author_id
WHERE p.status = 'published';
