-- migrate:up
CREATE SEQUENCE series_issue_seq;

CREATE TABLE series (
    id serial PRIMARY KEY,
    title text NOT NULL,
    author_id bigint NOT NULL REFERENCES authors (id),
    CONSTRAINT series_title_key UNIQUE (title)
);

ALTER TABLE posts ADD COLUMN series_id integer REFERENCES series (id);
ALTER TABLE posts ADD COLUMN series_issue integer;

INSERT INTO series (title, author_id)
SELECT 'Running PostgreSQL', id FROM authors WHERE handle = 'mira';
INSERT INTO canary (migration, step) VALUES ('20240729100000', 'first series');

UPDATE posts SET series_id = (SELECT id FROM series WHERE title = 'Running PostgreSQL'),
                 series_issue = nextval('series_issue_seq')
WHERE author_id = (SELECT id FROM authors WHERE handle = 'mira');
INSERT INTO canary (migration, step) VALUES ('20240729100000', 'number the series');

-- migrate:down
ALTER TABLE posts DROP COLUMN series_issue;
ALTER TABLE posts DROP COLUMN series_id;
DROP TABLE series;
DROP SEQUENCE series_issue_seq;
