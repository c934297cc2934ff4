-- migrate:up
-- Tags are ordered per post. The old table is kept one release as post_tags_v1.
ALTER TABLE post_tags RENAME TO post_tags_v1;
ALTER TABLE post_tags_v1 RENAME CONSTRAINT post_tags_pkey TO post_tags_v1_pkey;

CREATE TABLE post_tags (
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id integer NOT NULL REFERENCES tags (id),
    position smallint NOT NULL,
    PRIMARY KEY (post_id, tag_id),
    CONSTRAINT post_tags_position_key UNIQUE (post_id, position)
);

INSERT INTO post_tags (post_id, tag_id, position)
SELECT post_id, tag_id, row_number() OVER (PARTITION BY post_id ORDER BY tag_id)
FROM post_tags_v1;
INSERT INTO canary (migration, step) VALUES ('20240708113000', 'number the tags');

-- migrate:down
DROP TABLE post_tags;
ALTER TABLE post_tags_v1 RENAME CONSTRAINT post_tags_v1_pkey TO post_tags_pkey;
ALTER TABLE post_tags_v1 RENAME TO post_tags;
