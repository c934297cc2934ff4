ALTER TABLE plans DROP CONSTRAINT plans_interval_check;
ALTER TABLE plans ADD CONSTRAINT plans_interval_check CHECK (interval IN ('week', 'month', 'year'));

-- Event organisers asked for a plan they can use for a few weeks.
INSERT INTO plans (code, name, amount_cents, currency, interval, trial_days)
VALUES ('events_weekly', 'Events (weekly)', 900, 'USD', 'week', 0);
INSERT INTO canary (migration, step) VALUES ('36', 'weekly events plan');
