-- +goose Up
-- danger: a volatile default rewrites the whole table under ACCESS EXCLUSIVE
-- expect: warning adding-field-with-default
ALTER TABLE api_keys ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();

-- +goose Down
ALTER TABLE api_keys DROP COLUMN public_id;
