-- +goose Up
ALTER TABLE invoices ADD COLUMN total_cents bigint;
-- danger: goose wraps the file in one transaction: every invoice is rewritten under the ALTER's lock
-- expect: warning backfill-in-ddl-transaction
UPDATE invoices i SET total_cents = s.total
FROM (SELECT invoice_id, sum(amount_cents) AS total FROM invoice_lines GROUP BY invoice_id) s
WHERE s.invoice_id = i.id;

-- +goose Down
ALTER TABLE invoices DROP COLUMN total_cents;
