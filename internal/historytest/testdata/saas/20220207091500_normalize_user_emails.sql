-- +goose Up
-- Sign-in compares addresses case-insensitively now. Keep the addresses as typed for a while, in
-- case a customer's mail server turns out to care.
CREATE TABLE users_email_backup (
    user_id bigint PRIMARY KEY,
    email text NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO users_email_backup (user_id, email)
SELECT id, email FROM users WHERE email <> lower(email);
INSERT INTO canary (migration, step) VALUES ('20220207091500', 'back up mixed-case emails');

UPDATE users SET email = lower(email) WHERE email <> lower(email);
INSERT INTO canary (migration, step) VALUES ('20220207091500', 'lowercase emails');

DROP INDEX users_email_idx;
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));

-- +goose Down
DROP INDEX users_email_idx;
CREATE UNIQUE INDEX users_email_idx ON users (email);

UPDATE users u SET email = b.email FROM users_email_backup b WHERE b.user_id = u.id;
INSERT INTO canary (migration, step) VALUES ('20220207091500', 'down: restore emails');

DROP TABLE users_email_backup;
