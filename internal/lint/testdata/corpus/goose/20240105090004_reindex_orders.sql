-- +goose Up
-- Index bloat after the big import.
-- danger: REINDEX without CONCURRENTLY blocks writes and index reads on orders
-- expect: warning require-concurrent-reindex
REINDEX TABLE orders;

-- +goose Down
SELECT 1;
