-- migrate:up
-- Make sure nobody writes while we fix counts.
-- danger: ACCESS EXCLUSIVE held for the rest of the migration: reads and writes of inventory stop
-- expect: warning ban-lock-table
LOCK TABLE inventory IN ACCESS EXCLUSIVE MODE;
UPDATE inventory SET quantity = 0 WHERE quantity < 0;

-- migrate:down
SELECT 1;
