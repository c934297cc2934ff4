-- migrate:up
-- Page views are counted by the analytics service now.
DROP TABLE post_views;

-- migrate:down
CREATE TABLE post_views (
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    day date NOT NULL,
    views integer NOT NULL DEFAULT 0,
    referrer text,
    PRIMARY KEY (post_id, day)
);
