-- Monthly plans come with a 14-day trial from now on.
ALTER TABLE plans ALTER COLUMN trial_days SET DEFAULT 14;

UPDATE plans SET trial_days = 14 WHERE active AND interval = 'month' AND trial_days = 0;
INSERT INTO canary (migration, step) VALUES ('25', 'trial days for monthly plans');
