-- no-transaction
CREATE INDEX CONCURRENTLY journal_entries_status_posted_at_idx ON journal_entries (status, posted_at);
