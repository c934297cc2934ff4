-- Yearly enterprise invoices in currencies with small units overflow integer cents.
-- The view reads ledger_entries.amount and has to be re-created around the change.
DROP VIEW customer_balances;

ALTER TABLE ledger_entries ALTER COLUMN amount TYPE bigint;
ALTER TABLE payments ALTER COLUMN amount TYPE bigint;
ALTER TABLE invoices
    ALTER COLUMN amount_due TYPE bigint,
    ALTER COLUMN amount_paid TYPE bigint;
ALTER TABLE invoice_lines
    ALTER COLUMN unit_amount TYPE bigint,
    ALTER COLUMN amount TYPE bigint;

CREATE VIEW customer_balances AS
SELECT c.id AS customer_id,
       c.name,
       coalesce(sum(l.amount), 0) AS balance
FROM customers c
LEFT JOIN ledger_entries l ON l.customer_id = c.id
GROUP BY c.id;
