CREATE VIEW post_stats AS
SELECT p.id, p.title, p.published, count(c.id) AS comment_count
FROM posts p
LEFT JOIN comments c ON c.post_id = p.id
GROUP BY p.id;
