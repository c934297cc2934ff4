-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS payments_status_idx ON payments (status) WHERE status <> 'settled';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS payments_status_idx;
