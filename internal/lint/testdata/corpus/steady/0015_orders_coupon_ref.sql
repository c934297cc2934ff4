-- A new column is NULL in every row: its foreign key has nothing to check.
ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id);
