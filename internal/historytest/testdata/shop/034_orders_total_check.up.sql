-- NOT VALID: checking every existing order here would hold the table lock for the whole
-- scan. 035 validates it.
ALTER TABLE orders ADD CONSTRAINT orders_total_nonnegative CHECK (total >= 0) NOT VALID;
