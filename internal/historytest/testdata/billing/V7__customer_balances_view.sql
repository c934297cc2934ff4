-- What each customer owes (positive) or has in credit (negative).
CREATE VIEW customer_balances AS
SELECT c.id AS customer_id,
       c.name,
       coalesce(sum(l.amount), 0) AS balance
FROM customers c
LEFT JOIN ledger_entries l ON l.customer_id = c.id
GROUP BY c.id;
