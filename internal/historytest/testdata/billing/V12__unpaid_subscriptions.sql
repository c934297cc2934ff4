-- Subscriptions that failed three retries are unpaid, not past due.
UPDATE subscriptions s
SET status = 'unpaid'
WHERE s.status = 'past_due'
  AND (SELECT count(*)
       FROM dunning_attempts d
       JOIN invoices i ON i.id = d.invoice_id
       WHERE i.subscription_id = s.id AND d.result = 'failed') >= 3;
INSERT INTO canary (migration, step) VALUES ('12', 'past_due to unpaid');
