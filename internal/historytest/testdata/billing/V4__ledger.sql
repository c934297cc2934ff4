-- Double-entry is for later; one signed row per movement: positive is owed by the customer,
-- negative is paid or credited to them.
CREATE TABLE ledger_entries (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    invoice_id bigint REFERENCES invoices (id),
    payment_id bigint CONSTRAINT ledger_entries_payment_id_fkey REFERENCES payments (id),
    kind text NOT NULL CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('invoice', 'payment', 'credit', 'adjustment')),
    amount integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ledger_entries_customer_id_idx ON ledger_entries (customer_id);

-- A payment is posted to the ledger the moment it succeeds, whoever marks it so.
CREATE FUNCTION post_payment_to_ledger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'succeeded' AND OLD.status IS DISTINCT FROM 'succeeded' THEN
        INSERT INTO ledger_entries (customer_id, invoice_id, payment_id, kind, amount)
        SELECT i.customer_id, NEW.invoice_id, NEW.id, 'payment', -NEW.amount
        FROM invoices i
        WHERE i.id = NEW.invoice_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER payments_post_to_ledger
    AFTER UPDATE OF status ON payments
    FOR EACH ROW EXECUTE FUNCTION post_payment_to_ledger();
