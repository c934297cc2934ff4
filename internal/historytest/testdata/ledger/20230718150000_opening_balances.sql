INSERT INTO journal_entries (posted_at, memo) VALUES ('2023-07-01 00:00:00+00', 'opening balances');
INSERT INTO canary (migration, step) VALUES ('20230718150000', 'opening entry');

INSERT INTO postings (entry_id, account_id, amount)
SELECT e.id, a.id, p.amount
FROM (VALUES ('1100', 12500.00), ('1000', 300.00), ('3000', -12800.00)) AS p (code, amount)
JOIN accounts a ON a.code = p.code
CROSS JOIN (SELECT id FROM journal_entries WHERE memo = 'opening balances') e;
INSERT INTO canary (migration, step) VALUES ('20230718150000', 'opening postings');
