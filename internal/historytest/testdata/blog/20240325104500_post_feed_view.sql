-- migrate:up
CREATE VIEW post_feed AS
SELECT p.id, p.slug, p.title, a.display_name AS author, p.published_at
FROM posts p
JOIN authors a ON a.id = p.author_id
WHERE p.status = 'published';

-- migrate:down
DROP VIEW post_feed;
