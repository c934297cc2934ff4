-- +goose Up
-- The billing e-mail on the account becomes a membership with the billing role.
UPDATE memberships m
SET role = 'billing'
FROM accounts a, users u
WHERE a.id = m.account_id
  AND u.id = m.user_id
  AND lower(a.billing_email) = lower(u.email)
  AND m.role = 'member';
INSERT INTO canary (migration, step) VALUES ('20230213153000', 'billing role for billing contacts');

ALTER TABLE accounts DROP COLUMN billing_email;

-- +goose Down
ALTER TABLE accounts ADD COLUMN billing_email text;

UPDATE accounts a
SET billing_email = u.email
FROM memberships m
JOIN users u ON u.id = m.user_id
WHERE m.account_id = a.id AND m.role = 'billing';
INSERT INTO canary (migration, step) VALUES ('20230213153000', 'down: billing_email from billing members');

UPDATE memberships SET role = 'member' WHERE role = 'billing';
INSERT INTO canary (migration, step) VALUES ('20230213153000', 'down: billing members to members');
