-- +goose Up
-- Users provisioned by single sign-on arrive with an e-mail and a subject, and often no name.
ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL;
ALTER TABLE users ADD COLUMN sso_subject text CONSTRAINT users_sso_subject_key UNIQUE;

-- +goose Down
ALTER TABLE users DROP COLUMN sso_subject;

UPDATE users SET full_name = split_part(email, '@', 1) WHERE full_name IS NULL;
INSERT INTO canary (migration, step) VALUES ('20230320110000', 'down: default full_name');

ALTER TABLE users ALTER COLUMN full_name SET NOT NULL;
