-- +goose Up
CREATE TABLE invitations (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email text NOT NULL,
    role membership_role NOT NULL DEFAULT 'member',
    token text NOT NULL CONSTRAINT invitations_token_key UNIQUE,
    invited_by bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    accepted_at timestamptz
);

-- At most one pending invitation per address and account.
CREATE UNIQUE INDEX invitations_pending_email_idx ON invitations (account_id, lower(email))
    WHERE accepted_at IS NULL;

-- Invitations sent by e-mail during the beta, so that their links keep working.
INSERT INTO invitations (account_id, email, role, token, invited_by, created_at, accepted_at)
SELECT a.id, v.email, v.role::membership_role, md5(v.slug || ':' || v.email), u.id,
       v.created_at::timestamptz, v.accepted_at::timestamptz
FROM (VALUES
        ('acme', 'coyote.jr@acme.example', 'member', 'Wile.Coyote@acme.example', '2021-03-30 10:00:00+00', NULL),
        ('initech', 'bill@initech.example', 'admin', 'peter@initech.example', '2021-03-02 09:30:00+00', '2021-03-03 08:00:00+00'),
        ('initech', 'samir@initech.example', 'member', 'peter@initech.example', '2021-04-01 15:00:00+00', NULL),
        ('northwind', 'carla@northwind.example', 'admin', 'Ada.Park@northwind.example', '2021-04-09 11:00:00+00', NULL)
    ) AS v (slug, email, role, inviter, created_at, accepted_at)
JOIN accounts a ON a.slug = v.slug
LEFT JOIN users u ON u.email = v.inviter;
INSERT INTO canary (migration, step) VALUES ('20210412100000', 'beta invitations');

-- +goose Down
DROP TABLE invitations;
