-- +goose Up
-- Multi-currency invoicing: amounts in the currency's units with two decimals instead of cents.
ALTER TABLE invoices ALTER COLUMN total TYPE numeric(12,2) USING total / 100.0;
ALTER TABLE invoices ADD COLUMN currency char(3) NOT NULL DEFAULT 'USD';

-- Credits used to be issued as negative invoices; they get their own table next. Forbid new ones
-- now, and check the old rows once they are moved.
ALTER TABLE invoices ADD CONSTRAINT invoices_total_nonnegative CHECK (total >= 0) NOT VALID;

-- +goose Down
ALTER TABLE invoices DROP CONSTRAINT invoices_total_nonnegative;
ALTER TABLE invoices DROP COLUMN currency;
ALTER TABLE invoices ALTER COLUMN total TYPE bigint USING round(total * 100)::bigint;
