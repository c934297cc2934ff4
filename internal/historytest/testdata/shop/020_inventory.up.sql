CREATE TABLE inventory (
    product_id integer PRIMARY KEY REFERENCES products (id),
    on_hand integer NOT NULL DEFAULT 0,
    reserved integer NOT NULL DEFAULT 0,
    CONSTRAINT inventory_reserved_check CHECK (reserved <= on_hand)
);

INSERT INTO inventory (product_id, on_hand) SELECT id, 25 FROM products;
INSERT INTO canary (migration, step) VALUES ('20', 'initial stock');
