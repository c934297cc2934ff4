-- +goose Up
-- danger: explicit SHARE ROW EXCLUSIVE lock held across the migration
-- expect: warning ban-lock-table
LOCK TABLE ledger_entries IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO ledger_snapshots (taken_at, total) SELECT now(), sum(amount) FROM ledger_entries;

-- +goose Down
SELECT 1;
