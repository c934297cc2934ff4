CREATE INDEX CONCURRENTLY IF NOT EXISTS products_category_idx ON products (category_id);
