-- Collection can be paused instead of failing retries forever; resumes by hand or at a date.
ALTER TABLE subscriptions ADD COLUMN pause_resumes_at timestamptz;

-- Unpaid subscriptions were in effect paused already: nobody retries them.
UPDATE subscriptions SET status = 'paused' WHERE status = 'unpaid';
INSERT INTO canary (migration, step) VALUES ('32', 'unpaid to paused');
