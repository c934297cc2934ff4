-- steady:no-transaction
-- The same index, built without blocking writes.
CREATE INDEX CONCURRENTLY IF NOT EXISTS leads_business_status_idx ON leads (business_id, status);
