CREATE TABLE coupons (
    code text PRIMARY KEY,
    percent_off smallint NOT NULL CONSTRAINT coupons_percent_off_check CHECK (percent_off BETWEEN 1 AND 100),
    duration text NOT NULL CONSTRAINT coupons_duration_check CHECK (duration IN ('once', 'repeating', 'forever')),
    duration_months smallint,
    redeem_by timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT coupons_duration_months_check CHECK ((duration = 'repeating') = (duration_months IS NOT NULL))
);

ALTER TABLE subscriptions ADD COLUMN coupon_code text REFERENCES coupons (code);

INSERT INTO coupons (code, percent_off, duration, duration_months, redeem_by) VALUES
    ('LAUNCH20', 20, 'repeating', 3, '2023-06-30 23:59:59+00'),
    ('NONPROFIT50', 50, 'forever', NULL, NULL);
INSERT INTO canary (migration, step) VALUES ('15', 'coupons');

-- The nonprofit discount finance applied by hand every month.
UPDATE subscriptions s
SET coupon_code = 'NONPROFIT50'
FROM customers c
WHERE c.id = s.customer_id AND c.external_ref = 'cus_0001' AND s.status = 'active';
INSERT INTO canary (migration, step) VALUES ('15', 'nonprofit coupon for cus_0001');
