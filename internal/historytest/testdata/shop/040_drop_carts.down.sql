CREATE TABLE carts (
    id bigserial PRIMARY KEY,
    customer_id bigint REFERENCES customers (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    coupon_code text
);

CREATE TABLE cart_items (
    cart_id bigint NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id integer NOT NULL REFERENCES products (id),
    quantity integer NOT NULL DEFAULT 1,
    PRIMARY KEY (cart_id, product_id)
);

CREATE INDEX carts_customer_id_idx ON carts (customer_id);
