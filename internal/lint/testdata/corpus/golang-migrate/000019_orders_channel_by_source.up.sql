ALTER TABLE orders ADD COLUMN channel text;

-- danger: fills the new column for every web order while the ALTER's ACCESS EXCLUSIVE lock on orders is held (a WHERE on another column does not bound the rows)
-- expect: warning backfill-in-ddl-transaction
UPDATE orders SET channel = 'online' WHERE source = 'web';
