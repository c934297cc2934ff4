DROP VIEW order_summary;

COMMENT ON COLUMN orders.total IS NULL;
ALTER TABLE orders ALTER COLUMN total DROP DEFAULT;
ALTER TABLE orders ALTER COLUMN total TYPE bigint USING (total * 100)::bigint;
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;

CREATE VIEW order_summary AS
SELECT o.id, o.customer_id, c.email, o.status, o.total, o.created_at
FROM orders o
JOIN customers c ON c.id = o.customer_id;
