-- The customer page lists invoices newest first; the index serves the order too.
DROP INDEX invoices_customer_id_idx;
CREATE INDEX invoices_customer_id_idx ON invoices (customer_id, issued_at DESC);
