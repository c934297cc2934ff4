-- migrate:up
-- danger: a stored generated column is computed for every row: a full rewrite
-- expect: warning adding-field-with-default
ALTER TABLE articles ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(body, ''))) STORED;

-- migrate:down
ALTER TABLE articles DROP COLUMN search;
