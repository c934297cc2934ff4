-- +goose Up
-- Annual enterprise invoices in cents come close to the integer range.
ALTER TABLE invoices ALTER COLUMN total TYPE bigint;

-- +goose Down
ALTER TABLE invoices ALTER COLUMN total TYPE integer;
