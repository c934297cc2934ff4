-- The current period's invoices, as the previous provider issued them, so that the ledger starts
-- from the right balances. Trials get their first invoice prepared as a draft.
INSERT INTO invoices (customer_id, subscription_id, status, currency, amount_due, issued_at, due_at, created_at)
SELECT s.customer_id,
       s.id,
       (CASE s.status WHEN 'trialing' THEN 'draft' ELSE 'open' END)::invoice_status,
       upper(p.currency),
       p.amount_cents,
       CASE WHEN s.status = 'trialing' THEN NULL ELSE s.current_period_start END,
       CASE WHEN s.status = 'trialing' THEN NULL ELSE s.current_period_start + interval '14 days' END,
       s.current_period_start
FROM subscriptions s
JOIN plans p ON p.id = s.plan_id
WHERE s.status IN ('trialing', 'active', 'past_due')
ORDER BY s.id;
INSERT INTO canary (migration, step) VALUES ('5', 'invoices');

INSERT INTO invoice_lines (invoice_id, description, quantity, unit_amount, amount)
SELECT i.id, p.name || ' subscription', 1, i.amount_due, i.amount_due
FROM invoices i
JOIN subscriptions s ON s.id = i.subscription_id
JOIN plans p ON p.id = s.plan_id;
INSERT INTO canary (migration, step) VALUES ('5', 'invoice lines');

INSERT INTO ledger_entries (customer_id, invoice_id, kind, amount, created_at)
SELECT customer_id, id, 'invoice', amount_due, issued_at
FROM invoices
WHERE status <> 'draft';
INSERT INTO canary (migration, step) VALUES ('5', 'ledger invoice entries');

-- Card charges the provider reported for the active subscriptions; past_due ones were declined.
INSERT INTO payments (invoice_id, amount, provider_ref, created_at)
SELECT i.id, i.amount_due, 'ch_import_' || i.number, i.issued_at + interval '1 day'
FROM invoices i
JOIN subscriptions s ON s.id = i.subscription_id
WHERE s.status = 'active';
INSERT INTO canary (migration, step) VALUES ('5', 'payments');

-- Settling them posts them to the ledger (trigger payments_post_to_ledger).
UPDATE payments SET status = 'succeeded', settled_at = created_at WHERE status = 'pending';
INSERT INTO canary (migration, step) VALUES ('5', 'settle payments');

UPDATE invoices i
SET status = 'paid', amount_paid = p.amount, paid_at = p.settled_at
FROM payments p
WHERE p.invoice_id = i.id AND p.status = 'succeeded';
INSERT INTO canary (migration, step) VALUES ('5', 'paid invoices');
