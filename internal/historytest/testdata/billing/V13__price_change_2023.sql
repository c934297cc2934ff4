-- New prices from 2023. Existing subscribers keep their price for a year; this table says which
-- new plan each old one moves to when that year is over.
CREATE TABLE plan_migrations (
    from_plan_id integer PRIMARY KEY REFERENCES plans (id),
    to_plan_id integer NOT NULL REFERENCES plans (id)
);

INSERT INTO plans (code, name, amount_cents, currency, interval, trial_days) VALUES
    ('starter_monthly_2023', 'Starter', 2400, 'USD', 'month', 0),
    ('starter_yearly_2023', 'Starter (yearly)', 24000, 'USD', 'year', 0),
    ('growth_monthly_2023', 'Growth', 9900, 'USD', 'month', 0),
    ('growth_yearly_2023', 'Growth (yearly)', 99000, 'USD', 'year', 0);
INSERT INTO canary (migration, step) VALUES ('13', '2023 plans');

INSERT INTO plan_migrations (from_plan_id, to_plan_id)
SELECT old_plan.id, new_plan.id
FROM plans old_plan
JOIN plans new_plan ON new_plan.code = old_plan.code || '_2023';
INSERT INTO canary (migration, step) VALUES ('13', 'old plan to new plan');

UPDATE plans SET active = false WHERE id IN (SELECT from_plan_id FROM plan_migrations);
INSERT INTO canary (migration, step) VALUES ('13', 'retire 2022 plans');
