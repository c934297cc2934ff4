-- +goose Up
-- danger: a unique index built without CONCURRENTLY blocks every signup and login write
-- expect: warning require-concurrent-index-creation
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- +goose Down
DROP INDEX users_email_lower_key;
