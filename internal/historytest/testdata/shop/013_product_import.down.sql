ALTER TABLE products DROP COLUMN cost_cents;
DROP TABLE product_import;
