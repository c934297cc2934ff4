ALTER TYPE order_status ADD VALUE 'refunded';

-- danger: the new value cannot be used before the transaction that added it commits: the migration fails
-- expect: error new-enum-value-used-in-transaction
UPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL AND status = 'cancelled';
