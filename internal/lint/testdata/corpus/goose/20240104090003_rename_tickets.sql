-- +goose Up
-- danger: code of the running release still queries tickets
-- expect: warning renaming-table
ALTER TABLE tickets RENAME TO support_tickets;

-- +goose Down
ALTER TABLE support_tickets RENAME TO tickets;
