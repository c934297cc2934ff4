-- The title's type cannot change under the views that read it: drop the stats view, which
-- takes the materialized view built on it along, and make both again.
DROP VIEW post_stats CASCADE;

ALTER TABLE posts ALTER COLUMN title TYPE VARCHAR(300);

CREATE VIEW post_stats AS
SELECT p.id, p.title, p.published, count(c.id) AS comment_count
FROM posts p
LEFT JOIN comments c ON c.post_id = p.id
GROUP BY p.id;

CREATE MATERIALIZED VIEW popular_posts AS
SELECT id, title, comment_count
FROM post_stats
WHERE published
ORDER BY comment_count DESC
LIMIT 100;

CREATE UNIQUE INDEX popular_posts_id_idx ON popular_posts (id);
