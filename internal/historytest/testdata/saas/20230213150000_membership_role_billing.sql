-- +goose Up
-- Billing contacts see invoices and nothing else.
ALTER TYPE membership_role ADD VALUE 'billing' BEFORE 'member';

-- +goose Down
-- PostgreSQL cannot drop an enum value: rebuild the type without it (billing members become members).
ALTER TABLE memberships ALTER COLUMN role DROP DEFAULT;
ALTER TABLE invitations ALTER COLUMN role DROP DEFAULT;
ALTER TYPE membership_role RENAME TO membership_role_old;
CREATE TYPE membership_role AS ENUM ('owner', 'admin', 'member');
ALTER TABLE memberships ALTER COLUMN role TYPE membership_role
    USING (CASE role::text WHEN 'billing' THEN 'member' ELSE role::text END)::membership_role;
ALTER TABLE invitations ALTER COLUMN role TYPE membership_role
    USING (CASE role::text WHEN 'billing' THEN 'member' ELSE role::text END)::membership_role;
ALTER TABLE memberships ALTER COLUMN role SET DEFAULT 'member';
ALTER TABLE invitations ALTER COLUMN role SET DEFAULT 'member';
DROP TYPE membership_role_old;
