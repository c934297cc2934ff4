CREATE TYPE subscription_status AS ENUM ('trialing', 'active', 'past_due', 'canceled');

CREATE TABLE subscriptions (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    plan_id integer NOT NULL REFERENCES plans (id),
    status subscription_status NOT NULL DEFAULT 'trialing',
    current_period_start timestamptz NOT NULL,
    current_period_end timestamptz NOT NULL,
    canceled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subscriptions_period_check CHECK (current_period_end > current_period_start)
);

CREATE INDEX subscriptions_plan_id_idx ON subscriptions (plan_id);

-- A customer has at most one subscription that can still be billed.
CREATE UNIQUE INDEX subscriptions_one_live_per_customer ON subscriptions (customer_id)
    WHERE status IN ('trialing', 'active', 'past_due');

-- Subscriptions as they stand in the finance team's export.
INSERT INTO subscriptions (customer_id, plan_id, status, current_period_start, current_period_end, canceled_at, created_at)
SELECT c.id, p.id, v.status::subscription_status, v.period_start::timestamptz, v.period_end::timestamptz,
       v.canceled_at::timestamptz, c.created_at
FROM (VALUES
        ('cus_0001', 'growth_monthly', 'active', '2022-05-01 00:00:00+00', '2022-06-01 00:00:00+00', NULL),
        ('cus_0002', 'growth_yearly', 'active', '2022-01-15 00:00:00+00', '2023-01-15 00:00:00+00', NULL),
        ('cus_0003', 'starter_monthly', 'past_due', '2022-04-10 00:00:00+00', '2022-05-10 00:00:00+00', NULL),
        ('cus_0004', 'legacy_pro', 'active', '2022-05-03 00:00:00+00', '2022-06-03 00:00:00+00', NULL),
        ('cus_0005', 'starter_monthly', 'trialing', '2022-04-25 00:00:00+00', '2022-05-09 00:00:00+00', NULL),
        ('cus_0006', 'starter_yearly', 'canceled', '2021-01-14 00:00:00+00', '2022-01-14 00:00:00+00', '2021-12-20 16:00:00+00')
    ) AS v (customer, plan, status, period_start, period_end, canceled_at)
JOIN customers c ON c.external_ref = v.customer
JOIN plans p ON p.code = v.plan;
INSERT INTO canary (migration, step) VALUES ('2', 'subscriptions from export');
