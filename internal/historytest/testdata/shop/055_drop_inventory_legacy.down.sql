CREATE TABLE inventory_legacy (
    product_id integer NOT NULL REFERENCES products (id),
    on_hand integer NOT NULL DEFAULT 0,
    reserved integer NOT NULL DEFAULT 0,
    CONSTRAINT inventory_legacy_pkey PRIMARY KEY (product_id),
    CONSTRAINT inventory_reserved_check CHECK (reserved <= on_hand)
);
