-- Pending orders older than a month were never paid: cancel them and release their stock.
DO $$
DECLARE
    stale bigint[];
BEGIN
    SELECT coalesce(array_agg(id), '{}') INTO stale
    FROM orders
    WHERE status = 'pending' AND created_at < now() - interval '30 days';

    UPDATE orders SET status = 'cancelled' WHERE id = ANY (stale);

    UPDATE inventory i SET quantity = i.quantity + x.quantity
    FROM (SELECT product_id, sum(quantity) AS quantity
          FROM order_items
          WHERE order_id = ANY (stale)
          GROUP BY product_id) x
    WHERE i.product_id = x.product_id
      AND i.warehouse_id = (SELECT id FROM warehouses WHERE code = 'TLV');

    INSERT INTO canary (migration, step) VALUES ('51', 'cancel stale orders');
END
$$;
