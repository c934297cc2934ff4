-- CONCURRENTLY among other statements, without -- steady:no-transaction: the file runs outside a
-- transaction, statement by statement, so the ALTER loses its all-or-nothing.
ALTER TABLE leads ADD COLUMN created_day date;
CREATE INDEX CONCURRENTLY IF NOT EXISTS leads_created_idx ON leads (created_at);
