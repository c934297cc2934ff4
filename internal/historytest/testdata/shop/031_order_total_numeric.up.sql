-- Totals in currency units with cents, as the accounting export expects. The view reads the
-- column, so it is dropped and re-created around the type change.
DROP VIEW order_summary;

ALTER TABLE orders ALTER COLUMN total DROP DEFAULT;
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2) USING total / 100.0;
ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0.00;
COMMENT ON COLUMN orders.total IS 'Currency units; integer cents before 031 -- see the accounting export';

CREATE VIEW order_summary AS
SELECT o.id, o.customer_id, c.email, o.status, o.total, o.created_at
FROM orders o
JOIN customers c ON c.id = o.customer_id;
