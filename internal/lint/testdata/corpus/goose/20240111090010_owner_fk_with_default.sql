-- +goose Up
-- danger: with a default every existing row is checked against accounts under SHARE ROW EXCLUSIVE
-- expect: warning constraint-missing-not-valid
ALTER TABLE projects ADD COLUMN owner_account_id bigint NOT NULL DEFAULT 1 REFERENCES accounts (id);

-- +goose Down
ALTER TABLE projects DROP COLUMN owner_account_id;
