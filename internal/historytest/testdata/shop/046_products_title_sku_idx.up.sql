-- Search matches title and SKU together now: same index name, wider definition.
DROP INDEX products_title_idx;
CREATE INDEX products_title_idx ON products (lower(title), sku);
