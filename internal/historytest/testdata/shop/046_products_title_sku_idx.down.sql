DROP INDEX products_title_idx;
CREATE INDEX products_title_idx ON products (lower(title));
