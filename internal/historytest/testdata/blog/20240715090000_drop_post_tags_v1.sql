-- migrate:up
DROP TABLE post_tags_v1;

-- migrate:down
CREATE TABLE post_tags_v1 (
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id integer NOT NULL REFERENCES tags (id),
    CONSTRAINT post_tags_v1_pkey PRIMARY KEY (post_id, tag_id)
);
