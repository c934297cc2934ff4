-- +goose Up
CREATE SEQUENCE invoice_number_seq START WITH 1000;

-- Amounts in cents.
CREATE TABLE invoices (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    number integer NOT NULL DEFAULT nextval('invoice_number_seq') CONSTRAINT invoices_number_key UNIQUE,
    period_start date NOT NULL,
    period_end date NOT NULL,
    total integer NOT NULL,
    status text NOT NULL DEFAULT 'open' CONSTRAINT invoices_status_check CHECK (status IN ('open', 'paid', 'void')),
    issued_at timestamptz NOT NULL DEFAULT now(),
    paid_at timestamptz,
    CONSTRAINT invoices_period_check CHECK (period_end > period_start)
);

ALTER SEQUENCE invoice_number_seq OWNED BY invoices.number;

CREATE INDEX invoices_account_id_idx ON invoices (account_id);

ALTER TABLE accounts ADD COLUMN billing_email text;

-- Invoices and billing contacts kept in the finance spreadsheet until now.
INSERT INTO invoices (account_id, period_start, period_end, total, status, issued_at, paid_at)
SELECT a.id, v.period_start::date, v.period_end::date, v.total, v.status,
       v.issued_at::timestamptz, v.paid_at::timestamptz
FROM (VALUES
        ('northwind', '2021-09-01', '2021-10-01', 4900, 'paid', '2021-10-01 06:00:00+00', '2021-10-02 12:10:00+00'),
        ('northwind', '2021-10-01', '2021-11-01', 4900, 'open', '2021-11-01 06:00:00+00', NULL),
        ('acme', '2021-09-01', '2021-10-01', 4900, 'paid', '2021-10-01 06:00:00+00', '2021-10-05 09:45:00+00'),
        ('acme', '2021-09-01', '2021-10-01', -2000, 'open', '2021-10-07 15:20:00+00', NULL),
        ('acme', '2021-10-01', '2021-11-01', 4900, 'open', '2021-11-01 06:00:00+00', NULL)
    ) AS v (slug, period_start, period_end, total, status, issued_at, paid_at)
JOIN accounts a ON a.slug = v.slug
ORDER BY v.issued_at;
INSERT INTO canary (migration, step) VALUES ('20211115100000', 'import spreadsheet invoices');

UPDATE accounts a
SET billing_email = v.email
FROM (VALUES
        ('northwind', 'ben@northwind.example'),
        ('acme', 'Wile.Coyote@acme.example')
    ) AS v (slug, email)
WHERE a.slug = v.slug;
INSERT INTO canary (migration, step) VALUES ('20211115100000', 'import billing contacts');

-- +goose Down
ALTER TABLE accounts DROP COLUMN billing_email;
-- The sequence is owned by invoices.number and goes with the table.
DROP TABLE invoices;
