-- The unique index was built concurrently by the previous migration.
ALTER TABLE coupons ADD CONSTRAINT coupons_code_key UNIQUE USING INDEX coupons_code_idx;
