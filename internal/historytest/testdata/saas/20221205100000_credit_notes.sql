-- +goose Up
CREATE TABLE credit_notes (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    amount numeric(12,2) NOT NULL CONSTRAINT credit_notes_amount_check CHECK (amount > 0),
    currency char(3) NOT NULL DEFAULT 'USD',
    reason text NOT NULL,
    issued_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX credit_notes_account_id_idx ON credit_notes (account_id);

INSERT INTO credit_notes (account_id, amount, currency, reason, issued_at)
SELECT account_id, -total, currency,
       format('invoice %s for %s to %s', number, period_start, period_end), issued_at
FROM invoices
WHERE total < 0;
INSERT INTO canary (migration, step) VALUES ('20221205100000', 'negative invoices to credit notes');

DELETE FROM invoices WHERE total < 0;
INSERT INTO canary (migration, step) VALUES ('20221205100000', 'delete negative invoices');

ALTER TABLE invoices VALIDATE CONSTRAINT invoices_total_nonnegative;

-- +goose Down
-- Put the credits back as negative invoices; the check goes back to NOT VALID, which new rows
-- must still pass, so it is added after them.
ALTER TABLE invoices DROP CONSTRAINT invoices_total_nonnegative;

INSERT INTO invoices (account_id, number, period_start, period_end, total, currency, status, issued_at)
SELECT c.account_id, r.m[1]::integer, r.m[2]::date, r.m[3]::date, -c.amount, c.currency, 'open', c.issued_at
FROM credit_notes c
CROSS JOIN LATERAL regexp_match(c.reason, '^invoice (\d+) for (\S+) to (\S+)$') AS r (m)
WHERE r.m IS NOT NULL;
INSERT INTO canary (migration, step) VALUES ('20221205100000', 'down: credit notes to negative invoices');

ALTER TABLE invoices ADD CONSTRAINT invoices_total_nonnegative CHECK (total >= 0) NOT VALID;

DROP TABLE credit_notes;
