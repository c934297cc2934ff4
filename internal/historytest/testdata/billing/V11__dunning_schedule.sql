ALTER TABLE dunning_attempts ADD COLUMN next_attempt_at timestamptz;

-- Retries the previous provider already made for invoices still open, from its export.
INSERT INTO dunning_attempts (invoice_id, attempt, attempted_at, result)
SELECT i.id, a.n, i.due_at + a.n * interval '3 days', 'failed'
FROM invoices i
JOIN subscriptions s ON s.id = i.subscription_id
CROSS JOIN generate_series(1, 3) AS a (n)
WHERE s.status = 'past_due' AND i.status = 'open';
INSERT INTO canary (migration, step) VALUES ('11', 'imported dunning attempts');

UPDATE dunning_attempts
SET next_attempt_at = attempted_at + interval '3 days'
WHERE result = 'failed' AND next_attempt_at IS NULL;
INSERT INTO canary (migration, step) VALUES ('11', 'schedule next attempts');

-- The retry worker polls for failed attempts that are due.
CREATE INDEX dunning_attempts_next_attempt_idx ON dunning_attempts (next_attempt_at)
    WHERE result = 'failed';
