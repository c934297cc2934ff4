CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');

CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status order_status NOT NULL DEFAULT 'pending',
    total integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id integer NOT NULL REFERENCES products (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price_cents integer NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

-- Sample orders for every named beta tester, so that the reports have something to show.
INSERT INTO orders (customer_id, status, created_at)
SELECT c.id, s.status::order_status, now() - s.age
FROM customers c
CROSS JOIN (VALUES ('paid', interval '40 days'),
                   ('pending', interval '45 days'),
                   ('pending', interval '2 days')) AS s (status, age)
WHERE c.name IS NOT NULL;
INSERT INTO canary (migration, step) VALUES ('3', 'sample orders');

INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents)
SELECT o.id, p.id, 1 + (o.id + p.id) % 3, p.price_cents
FROM orders o
JOIN products p ON p.id % 2 = o.id % 2;
INSERT INTO canary (migration, step) VALUES ('3', 'sample order items');

UPDATE orders o
SET total = (SELECT sum(i.quantity * i.unit_price_cents) FROM order_items i WHERE i.order_id = o.id);
INSERT INTO canary (migration, step) VALUES ('3', 'order totals');
