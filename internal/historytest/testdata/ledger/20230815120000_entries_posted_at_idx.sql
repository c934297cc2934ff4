-- no-transaction
CREATE INDEX CONCURRENTLY journal_entries_posted_at_idx ON journal_entries (posted_at) WHERE status = 'posted';
