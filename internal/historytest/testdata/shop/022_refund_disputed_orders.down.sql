UPDATE orders SET status = 'paid'
WHERE status = 'refunded'
  AND customer_id = (SELECT id FROM customers WHERE email = 'grace@example.com');
INSERT INTO canary (migration, step) VALUES ('22', 'down: unmark refunds');
