-- PostgreSQL cannot drop an enum value: re-create the type without it (the view reads the
-- column, so it goes too).
UPDATE orders SET status = 'pending' WHERE status = 'cancelled';
INSERT INTO canary (migration, step) VALUES ('50', 'down: cancelled back to pending');

DROP VIEW order_summary;
ALTER TYPE order_status RENAME TO order_status_old;
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'refunded');
ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;
ALTER TABLE orders ALTER COLUMN status TYPE order_status USING status::text::order_status;
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'pending';
DROP TYPE order_status_old;

CREATE VIEW order_summary AS
SELECT o.id, o.customer_id, c.email, o.status, o.total, o.created_at,
       (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS item_count
FROM orders o
JOIN customers c ON c.id = o.customer_id;
