-- Collections wants the overdue part of the balance beside it.
CREATE OR REPLACE VIEW customer_balances AS
SELECT c.id AS customer_id,
       c.name,
       coalesce(sum(l.amount), 0) AS balance,
       coalesce((SELECT sum(i.amount_due - i.amount_paid)
                 FROM invoices i
                 WHERE i.customer_id = c.id
                   AND i.status = 'open'
                   AND i.due_at < now()), 0) AS overdue_amount
FROM customers c
LEFT JOIN ledger_entries l ON l.customer_id = c.id
GROUP BY c.id;
