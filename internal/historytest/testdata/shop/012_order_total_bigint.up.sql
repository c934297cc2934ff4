-- Wholesale orders overflow integer cents.
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
