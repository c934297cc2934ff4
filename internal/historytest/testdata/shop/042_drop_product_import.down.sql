CREATE TABLE product_import (
    sku text PRIMARY KEY,
    supplier_price_cents integer NOT NULL
);
