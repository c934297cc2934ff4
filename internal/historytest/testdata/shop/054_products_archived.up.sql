ALTER TABLE products ADD COLUMN archived_at timestamptz;

UPDATE products SET archived_at = now() WHERE sku = 'MUG-002';
INSERT INTO canary (migration, step) VALUES ('54', 'archive the enamel mug');

-- An archived product's SKU may be reused by a new product.
ALTER TABLE products DROP CONSTRAINT products_sku_key;
CREATE UNIQUE INDEX products_active_sku_key ON products (sku) WHERE archived_at IS NULL;
