-- +goose Up
-- VALIDATE in its own migration holds SHARE UPDATE EXCLUSIVE: reads and writes go on.
ALTER TABLE reviews VALIDATE CONSTRAINT reviews_user_id_fkey;

-- +goose Down
SELECT 1;
