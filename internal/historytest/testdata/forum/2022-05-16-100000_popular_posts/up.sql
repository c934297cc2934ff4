CREATE MATERIALIZED VIEW popular_posts AS
SELECT id, title, comment_count
FROM post_stats
WHERE published
ORDER BY comment_count DESC
LIMIT 100;

CREATE UNIQUE INDEX popular_posts_id_idx ON popular_posts (id);
