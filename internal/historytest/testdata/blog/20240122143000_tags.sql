-- migrate:up
CREATE TABLE tags (
    id serial PRIMARY KEY,
    name text NOT NULL,
    CONSTRAINT tags_name_key UNIQUE (name)
);

CREATE TABLE post_tags (
    post_id bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id integer NOT NULL REFERENCES tags (id),
    PRIMARY KEY (post_id, tag_id)
);

INSERT INTO tags (name) VALUES ('postgres'), ('operations'), ('writing');
INSERT INTO canary (migration, step) VALUES ('20240122143000', 'first tags');

INSERT INTO post_tags (post_id, tag_id)
SELECT p.id, t.id
FROM posts p
JOIN tags t ON (t.name = 'writing') = (p.title LIKE 'Style%');
INSERT INTO canary (migration, step) VALUES ('20240122143000', 'tag posts');

-- migrate:down
DROP TABLE post_tags;
DROP TABLE tags;
