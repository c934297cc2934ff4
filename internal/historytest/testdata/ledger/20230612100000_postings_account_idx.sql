-- no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS postings_account_id_idx ON postings (account_id);
