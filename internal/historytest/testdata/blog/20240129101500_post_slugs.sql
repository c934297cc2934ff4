-- migrate:up
CREATE FUNCTION slugify(value text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT
    AS $$
BEGIN
    RETURN trim(both '-' from regexp_replace(lower(value), '[^a-z0-9]+', '-', 'g'));
END
$$;

ALTER TABLE posts ADD COLUMN slug text;

UPDATE posts SET slug = slugify(title);
INSERT INTO canary (migration, step) VALUES ('20240129101500', 'fill slugs');

ALTER TABLE posts ALTER COLUMN slug SET NOT NULL;
CREATE UNIQUE INDEX posts_slug_key ON posts (slug);
CREATE INDEX posts_title_idx ON posts (lower(title));

-- migrate:down
DROP INDEX posts_title_idx;
DROP INDEX posts_slug_key;
ALTER TABLE posts DROP COLUMN slug;
DROP FUNCTION slugify(text);
