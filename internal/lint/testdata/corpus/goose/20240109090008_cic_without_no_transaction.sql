-- +goose Up
-- danger: goose runs this in a transaction and PostgreSQL refuses CONCURRENTLY there: the deploy fails
-- expect: error ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_placed_at_idx ON orders (placed_at);

-- +goose Down
DROP INDEX IF EXISTS orders_placed_at_idx;
