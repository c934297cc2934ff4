-- +goose Up
DELETE FROM password_resets WHERE created_at < now() - interval '90 days';

-- +goose Down
SELECT 1;
