ALTER TABLE orders DROP CONSTRAINT orders_total_nonnegative;
ALTER TABLE orders ADD CONSTRAINT orders_total_nonnegative CHECK (total >= 0) NOT VALID;
