ALTER TABLE posts ADD COLUMN slug VARCHAR;

UPDATE posts SET slug = trim(BOTH '-' FROM lower(regexp_replace(title, '[^a-zA-Z0-9]+', '-', 'g'))) || '-' || id;
INSERT INTO canary (migration, step) VALUES ('20220620110000', 'slugs');

ALTER TABLE posts ALTER COLUMN slug SET NOT NULL;
CREATE UNIQUE INDEX posts_slug_key ON posts (slug);
