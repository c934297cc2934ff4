-- +goose Up
-- Invitations are handled by the identity provider since the SSO launch; nothing reads this table.
DROP TABLE invitations;

-- +goose Down
CREATE TABLE invitations (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email text NOT NULL,
    role membership_role NOT NULL DEFAULT 'member',
    token text NOT NULL CONSTRAINT invitations_token_key UNIQUE,
    invited_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    accepted_at timestamptz,
    resent_count integer NOT NULL DEFAULT 0,
    last_sent_at timestamptz
);

CREATE UNIQUE INDEX invitations_pending_email_idx ON invitations (account_id, lower(email))
    WHERE accepted_at IS NULL;
