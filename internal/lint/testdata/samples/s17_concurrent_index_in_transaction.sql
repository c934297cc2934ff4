-- CONCURRENTLY, but without -- steady:no-transaction: PostgreSQL refuses it in steady's transaction.
CREATE INDEX CONCURRENTLY IF NOT EXISTS leads_created_idx ON leads (created_at);
