-- Payments by SEPA debit and bank transfer join card payments. "payments" becomes the table of
-- every payment, with the customer and currency on the row; the card-only table keeps its name
-- for the reconciliation with the card provider and is dropped once that is done.
ALTER TABLE payments RENAME TO card_payments;
ALTER SEQUENCE payments_id_seq RENAME TO card_payments_id_seq;
ALTER INDEX payments_pkey RENAME TO card_payments_pkey;
ALTER INDEX payments_provider_ref_key RENAME TO card_payments_provider_ref_key;
ALTER INDEX payments_invoice_id_idx RENAME TO card_payments_invoice_id_idx;
DROP TRIGGER payments_post_to_ledger ON card_payments;

CREATE TYPE payment_method AS ENUM ('card', 'sepa_debit', 'bank_transfer');

CREATE TABLE payments (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    invoice_id bigint REFERENCES invoices (id),
    method payment_method NOT NULL,
    amount bigint NOT NULL CONSTRAINT payments_amount_check CHECK (amount > 0),
    currency char(3) NOT NULL,
    provider_ref text CONSTRAINT payments_provider_ref_key UNIQUE,
    status text NOT NULL DEFAULT 'pending'
        CONSTRAINT payments_status_check CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
    created_at timestamptz NOT NULL DEFAULT now(),
    settled_at timestamptz
);

CREATE INDEX payments_invoice_id_idx ON payments (invoice_id);
CREATE INDEX payments_customer_id_idx ON payments (customer_id);

-- Same ids, so that the ledger's payment_id keeps pointing at the same payment.
INSERT INTO payments (id, customer_id, invoice_id, method, amount, currency, provider_ref, status, created_at, settled_at)
SELECT cp.id, i.customer_id, cp.invoice_id, 'card', cp.amount, i.currency, cp.provider_ref, cp.status,
       cp.created_at, cp.settled_at
FROM card_payments cp
JOIN invoices i ON i.id = cp.invoice_id
ORDER BY cp.id;
INSERT INTO canary (migration, step) VALUES ('20', 'copy card payments');

DO $$
BEGIN
    PERFORM setval('payments_id_seq', (SELECT coalesce(max(id), 0) + 1 FROM payments), false);
    INSERT INTO canary (migration, step) VALUES ('20', 'payments id sequence past copied ids');
END
$$;

ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
    CHECK (kind IN ('invoice', 'payment', 'refund', 'credit', 'adjustment'));

-- Refunds are posted too, and the customer is on the payment row now.
CREATE OR REPLACE FUNCTION post_payment_to_ledger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'succeeded' AND OLD.status IS DISTINCT FROM 'succeeded' THEN
        INSERT INTO ledger_entries (customer_id, invoice_id, payment_id, kind, amount)
        VALUES (NEW.customer_id, NEW.invoice_id, NEW.id, 'payment', -NEW.amount);
    ELSIF NEW.status = 'refunded' AND OLD.status = 'succeeded' THEN
        INSERT INTO ledger_entries (customer_id, invoice_id, payment_id, kind, amount)
        VALUES (NEW.customer_id, NEW.invoice_id, NEW.id, 'refund', NEW.amount);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER payments_post_to_ledger
    AFTER UPDATE OF status ON payments
    FOR EACH ROW EXECUTE FUNCTION post_payment_to_ledger();

-- The ledger follows the new table. ledger_entries is the largest table: validate in the next release.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_payment_id_fkey;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_payment_id_fkey
    FOREIGN KEY (payment_id) REFERENCES payments (id) NOT VALID;
