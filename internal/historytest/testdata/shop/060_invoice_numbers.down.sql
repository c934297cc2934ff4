ALTER TABLE orders DROP CONSTRAINT orders_invoice_number_key;
ALTER TABLE orders DROP COLUMN invoice_number;
DROP SEQUENCE invoice_number_seq;
