CREATE TYPE invoice_status AS ENUM ('draft', 'open', 'paid', 'void');

CREATE SEQUENCE invoice_number_seq;

CREATE FUNCTION next_invoice_number() RETURNS text
LANGUAGE sql AS $$
    SELECT 'INV-' || lpad(nextval('invoice_number_seq')::text, 6, '0')
$$;

-- Amounts in cents of the invoice's currency.
CREATE TABLE invoices (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    subscription_id bigint REFERENCES subscriptions (id),
    number text NOT NULL DEFAULT next_invoice_number() CONSTRAINT invoices_number_key UNIQUE,
    status invoice_status NOT NULL DEFAULT 'draft',
    currency char(3) NOT NULL,
    amount_due integer NOT NULL CONSTRAINT invoices_amount_due_check CHECK (amount_due >= 0),
    amount_paid integer NOT NULL DEFAULT 0,
    issued_at timestamptz,
    due_at timestamptz,
    paid_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX invoices_customer_id_idx ON invoices (customer_id);
CREATE INDEX invoices_subscription_id_idx ON invoices (subscription_id);

CREATE TABLE invoice_lines (
    id bigserial PRIMARY KEY,
    invoice_id bigint NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    description text NOT NULL,
    quantity integer NOT NULL DEFAULT 1 CONSTRAINT invoice_lines_quantity_check CHECK (quantity > 0),
    unit_amount integer NOT NULL,
    amount integer NOT NULL
);

CREATE INDEX invoice_lines_invoice_id_idx ON invoice_lines (invoice_id);
