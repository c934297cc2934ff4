ALTER TABLE carts DROP COLUMN coupon_code;
