-- migrate:up
-- danger: DROP INDEX without CONCURRENTLY queues behind running queries and blocks all access to orders
-- expect: warning require-concurrent-index-deletion
DROP INDEX IF EXISTS orders_status_idx;

-- migrate:down
CREATE INDEX orders_status_idx ON orders (status);
