-- +goose Up
ALTER TABLE users ADD COLUMN locale text;

-- +goose Down
ALTER TABLE users DROP COLUMN locale;
