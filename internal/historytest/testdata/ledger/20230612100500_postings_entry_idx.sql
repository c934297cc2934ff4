-- no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS postings_entry_id_idx ON postings (entry_id);
