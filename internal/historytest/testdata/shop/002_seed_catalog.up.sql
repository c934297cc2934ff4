-- The launch catalogue and the beta testers' accounts.
INSERT INTO products (sku, title, price_cents) VALUES
    ('MUG-001', 'Stoneware Mug', 1800),
    ('MUG-002', 'Enamel Camp Mug', 1450),
    ('TEE-001', 'Organic Cotton Tee', 2900),
    ('TEE-002', 'Heavyweight Pocket Tee', 3400),
    ('BAG-001', 'Waxed Canvas Tote; Olive', 6500),
    ('CAP-001', 'Six Panel Cap -- Navy', 2500);
INSERT INTO canary (migration, step) VALUES ('2', 'seed products');

INSERT INTO customers (email, name) VALUES
    ('ada@example.com', 'Ada Lovelace'),
    ('grace@example.com', 'Grace Hopper'),
    ('alan@example.com', NULL),
    ('edsger@example.com', 'Edsger Dijkstra'),
    ('barbara@example.com', NULL);
INSERT INTO canary (migration, step) VALUES ('2', 'seed customers');
