-- migrate:up
CREATE TABLE order_totals (order_id bigint PRIMARY KEY, total_cents bigint NOT NULL);
-- Filling a table created in this same migration: nobody reads it yet.
INSERT INTO order_totals (order_id, total_cents) SELECT order_id, sum(amount_cents) FROM order_items GROUP BY order_id;
UPDATE order_totals SET total_cents = 0 WHERE total_cents < 0;

-- migrate:down
DROP TABLE order_totals;
