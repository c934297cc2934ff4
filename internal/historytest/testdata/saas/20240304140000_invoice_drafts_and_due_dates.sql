-- +goose Up
-- Invoices are drafted a few days before they are sent, and carry a due date.
ALTER TABLE invoices ADD COLUMN due_on date;

UPDATE invoices SET due_on = (issued_at AT TIME ZONE 'UTC')::date + 30;
INSERT INTO canary (migration, step) VALUES ('20240304140000', 'due_on for issued invoices');

ALTER TABLE invoices ALTER COLUMN due_on SET NOT NULL;

ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices
    ADD CONSTRAINT invoices_status_check CHECK (status IN ('draft', 'open', 'paid', 'void'));
ALTER TABLE invoices ALTER COLUMN status SET DEFAULT 'draft';

-- +goose Down
ALTER TABLE invoices ALTER COLUMN status SET DEFAULT 'open';

UPDATE invoices SET status = 'open' WHERE status = 'draft';
INSERT INTO canary (migration, step) VALUES ('20240304140000', 'down: drafts to open');

ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices
    ADD CONSTRAINT invoices_status_check CHECK (status IN ('open', 'paid', 'void'));
ALTER TABLE invoices DROP COLUMN due_on;
