-- The supplier's price list, loaded once and applied to the catalogue as cost prices.
CREATE TABLE product_import (
    sku text PRIMARY KEY,
    supplier_price_cents integer NOT NULL
);

INSERT INTO product_import (sku, supplier_price_cents)
SELECT sku, price_cents * 6 / 10 FROM products;
INSERT INTO canary (migration, step) VALUES ('13', 'load supplier prices');

UPDATE product_import SET supplier_price_cents = supplier_price_cents + 100 WHERE sku LIKE 'BAG-%';
INSERT INTO canary (migration, step) VALUES ('13', 'bag surcharge');

ALTER TABLE products ADD COLUMN cost_cents integer;

UPDATE products p SET cost_cents = i.supplier_price_cents
FROM product_import i
WHERE i.sku = p.sku;
INSERT INTO canary (migration, step) VALUES ('13', 'apply supplier prices');
