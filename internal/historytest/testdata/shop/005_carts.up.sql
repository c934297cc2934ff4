CREATE TABLE carts (
    id bigserial PRIMARY KEY,
    customer_id bigint REFERENCES customers (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cart_items (
    cart_id bigint NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id integer NOT NULL REFERENCES products (id),
    quantity integer NOT NULL DEFAULT 1,
    PRIMARY KEY (cart_id, product_id)
);

CREATE INDEX carts_customer_id_idx ON carts (customer_id);

INSERT INTO carts (customer_id) SELECT id FROM customers WHERE email LIKE '%@example.com';
INSERT INTO canary (migration, step) VALUES ('5', 'open carts');
