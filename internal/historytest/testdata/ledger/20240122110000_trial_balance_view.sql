CREATE VIEW trial_balance AS
SELECT a.code, a.name, a.kind, a.currency, coalesce(b.balance, 0) AS balance_minor
FROM accounts a
LEFT JOIN account_balances b ON b.account_id = a.id;
