-- The webhook retrier: undelivered attempts by due time.
CREATE INDEX webhook_deliveries_retry_due_idx ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND next_attempt_at IS NOT NULL;

-- The settings page's delivery log.
CREATE INDEX webhook_deliveries_business_created_at_idx ON webhook_deliveries (business_id, created_at DESC);
