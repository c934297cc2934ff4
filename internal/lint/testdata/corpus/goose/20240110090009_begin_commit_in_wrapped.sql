-- +goose Up
-- danger: goose already wraps the file: this COMMIT ends goose's transaction early
-- expect: warning transaction-nesting
BEGIN;
ALTER TABLE profiles ADD COLUMN IF NOT EXISTS bio text;
COMMIT;

-- +goose Down
ALTER TABLE profiles DROP COLUMN bio;
