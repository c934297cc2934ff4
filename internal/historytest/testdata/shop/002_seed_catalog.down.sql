DELETE FROM customers
WHERE email IN ('ada@example.com', 'grace@example.com', 'alan@example.com', 'edsger@example.com', 'barbara@example.com');
INSERT INTO canary (migration, step) VALUES ('2', 'down: unseed customers');

DELETE FROM products WHERE sku IN ('MUG-001', 'MUG-002', 'TEE-001', 'TEE-002', 'BAG-001', 'CAP-001');
INSERT INTO canary (migration, step) VALUES ('2', 'down: unseed products');
