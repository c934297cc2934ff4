-- Statements list a customer's entries by date. Built concurrently: ledger_entries takes writes all day.
CREATE INDEX CONCURRENTLY ledger_entries_customer_id_created_at_idx ON ledger_entries (customer_id, created_at);
