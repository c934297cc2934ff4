ALTER TABLE products ADD COLUMN legacy_sku text;
