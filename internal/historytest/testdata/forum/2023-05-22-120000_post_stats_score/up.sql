DROP VIEW post_stats CASCADE;

CREATE VIEW post_stats AS
SELECT p.id, p.title, p.published, p.score,
       count(DISTINCT c.id) FILTER (WHERE c.deleted_at IS NULL) AS comment_count,
       count(DISTINCT pt.tag_id) AS tag_count
FROM posts p
LEFT JOIN comments c ON c.post_id = p.id
LEFT JOIN post_tags pt ON pt.post_id = p.id
GROUP BY p.id;

CREATE MATERIALIZED VIEW popular_posts AS
SELECT id, title, score, comment_count
FROM post_stats
WHERE published
ORDER BY score DESC, comment_count DESC
LIMIT 100;

CREATE UNIQUE INDEX popular_posts_id_idx ON popular_posts (id);
