-- Slugs keep only letters, digits and dashes (the first version kept punctuation).
CREATE OR REPLACE FUNCTION product_slug(title text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT trim(both '-' from regexp_replace(lower(title), '[^a-z0-9]+', '-', 'g')) $$;

ALTER TABLE products ADD COLUMN slug text;

UPDATE products SET slug = product_slug(title);
INSERT INTO canary (migration, step) VALUES ('32', 'fill slugs');

CREATE UNIQUE INDEX products_slug_key ON products (slug);
