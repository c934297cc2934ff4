-- +goose Up
-- New sign-ups start a 14-day trial of Pro features instead of landing on Free.
INSERT INTO plans (code, name, monthly_price_cents, max_projects) VALUES ('trial', 'Trial', 0, 10);
INSERT INTO canary (migration, step) VALUES ('20230710143000', 'trial plan');

ALTER TABLE accounts ALTER COLUMN plan SET DEFAULT 'trial';

-- +goose Down
ALTER TABLE accounts ALTER COLUMN plan SET DEFAULT 'free';

UPDATE accounts SET plan = 'free' WHERE plan = 'trial';
INSERT INTO canary (migration, step) VALUES ('20230710143000', 'down: trial accounts to free');

DELETE FROM plans WHERE code = 'trial';
INSERT INTO canary (migration, step) VALUES ('20230710143000', 'down: trial plan');
