ALTER TABLE payments ADD COLUMN IF NOT EXISTS invoice_ref bigint;

-- danger: the foreign key is validated against every payment while both tables are locked for writes
-- expect: warning constraint-missing-not-valid
ALTER TABLE payments
    ADD CONSTRAINT payments_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES invoices (id);
