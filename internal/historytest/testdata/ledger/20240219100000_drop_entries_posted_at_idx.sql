-- no-transaction
DROP INDEX CONCURRENTLY IF EXISTS journal_entries_posted_at_idx;
