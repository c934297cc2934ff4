-- CREATE OR REPLACE VIEW cannot remove a column.
DROP VIEW order_summary;
CREATE VIEW order_summary AS
SELECT o.id, o.customer_id, c.email, o.status, o.total, o.created_at
FROM orders o
JOIN customers c ON c.id = o.customer_id;
