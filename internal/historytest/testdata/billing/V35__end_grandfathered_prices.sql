-- The year of old prices is over: move the remaining subscriptions to the 2023 plans.
UPDATE subscriptions s
SET plan_id = pm.to_plan_id
FROM plan_migrations pm
WHERE s.plan_id = pm.from_plan_id AND s.status <> 'canceled';
INSERT INTO canary (migration, step) VALUES ('35', 'move subscriptions to 2023 plans');

DROP TABLE plan_migrations;
