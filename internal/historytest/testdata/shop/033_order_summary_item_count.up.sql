CREATE OR REPLACE VIEW order_summary AS
SELECT o.id, o.customer_id, c.email, o.status, o.total, o.created_at,
       (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS item_count
FROM orders o
JOIN customers c ON c.id = o.customer_id;
