CREATE FUNCTION product_slug(title text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT lower(replace(trim(title), ' ', '-')) $$;

CREATE INDEX products_title_idx ON products (lower(title));
