-- no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS postings_counterparty_id_idx ON postings (counterparty_id) WHERE counterparty_id IS NOT NULL;
