-- Card payments through the payment provider. Amounts in cents.
CREATE TABLE payments (
    id bigserial PRIMARY KEY,
    invoice_id bigint NOT NULL REFERENCES invoices (id),
    amount integer NOT NULL CONSTRAINT payments_amount_check CHECK (amount > 0),
    provider_ref text CONSTRAINT payments_provider_ref_key UNIQUE,
    status text NOT NULL DEFAULT 'pending' CONSTRAINT payments_status_check CHECK (status IN ('pending', 'succeeded', 'failed')),
    created_at timestamptz NOT NULL DEFAULT now(),
    settled_at timestamptz
);

CREATE INDEX payments_invoice_id_idx ON payments (invoice_id);
