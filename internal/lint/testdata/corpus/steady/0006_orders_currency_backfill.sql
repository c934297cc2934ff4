ALTER TABLE orders ADD COLUMN currency text;

-- danger: the backfill rewrites every order while the ALTER's ACCESS EXCLUSIVE lock is still held
-- expect: warning backfill-in-ddl-transaction
UPDATE orders SET currency = 'EUR' WHERE currency IS NULL;

ALTER TABLE orders ALTER COLUMN currency SET DEFAULT 'EUR';
