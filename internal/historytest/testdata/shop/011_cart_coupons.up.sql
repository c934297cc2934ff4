ALTER TABLE carts ADD COLUMN coupon_code text;

-- Anonymous testers get the welcome coupon.
UPDATE carts SET coupon_code = 'WELCOME10'
WHERE customer_id IN (SELECT id FROM customers WHERE name IS NULL);
INSERT INTO canary (migration, step) VALUES ('11', 'welcome coupons');
