-- +goose Up
ALTER TABLE orders ALTER COLUMN source SET DEFAULT 'api';
ALTER TABLE users ALTER COLUMN locale DROP DEFAULT;

-- +goose Down
SELECT 1;
