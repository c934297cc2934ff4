COMMENT ON TABLE orders IS 'One row per checkout';
COMMENT ON COLUMN orders.source IS 'web, ios, android or api';
GRANT SELECT ON orders, order_items TO reporting;
