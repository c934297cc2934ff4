-- +goose Up
-- A year and a half without a complaint about lowercased addresses.
DROP TABLE users_email_backup;

-- +goose Down
CREATE TABLE users_email_backup (
    user_id bigint PRIMARY KEY,
    email text NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now()
);
