DROP INDEX products_slug_key;
ALTER TABLE products DROP COLUMN slug;

CREATE OR REPLACE FUNCTION product_slug(title text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT lower(replace(trim(title), ' ', '-')) $$;
