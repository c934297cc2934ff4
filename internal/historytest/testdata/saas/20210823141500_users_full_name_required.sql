-- +goose Up
-- Users from the beta import have no name; use the local part of their address until they set one.
UPDATE users SET full_name = split_part(email, '@', 1) WHERE full_name IS NULL;
INSERT INTO canary (migration, step) VALUES ('20210823141500', 'default full_name');

ALTER TABLE users ALTER COLUMN full_name SET NOT NULL;

-- +goose Down
ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL;
