-- +goose Up
-- danger: a plain REFRESH blocks every read of the dashboard's view while its query runs
-- expect: warning require-concurrent-refresh
REFRESH MATERIALIZED VIEW sales_daily_summary;

-- +goose Down
SELECT 1;
