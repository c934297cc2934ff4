-- Orders charged back in the payment provider's March dispute batch.
UPDATE orders SET status = 'refunded'
WHERE status = 'paid'
  AND customer_id = (SELECT id FROM customers WHERE email = 'grace@example.com');
INSERT INTO canary (migration, step) VALUES ('22', 'mark refunds');
