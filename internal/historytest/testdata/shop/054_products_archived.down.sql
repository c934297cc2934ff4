DROP INDEX products_active_sku_key;
ALTER TABLE products ADD CONSTRAINT products_sku_key UNIQUE (sku);
ALTER TABLE products DROP COLUMN archived_at;
