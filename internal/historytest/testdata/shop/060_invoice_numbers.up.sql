CREATE SEQUENCE invoice_number_seq START WITH 100001;

ALTER TABLE orders ADD COLUMN invoice_number bigint;

UPDATE orders SET invoice_number = nextval('invoice_number_seq')
WHERE status IN ('paid', 'shipped', 'refunded');
INSERT INTO canary (migration, step) VALUES ('60', 'number invoiced orders');

ALTER TABLE orders ADD CONSTRAINT orders_invoice_number_key UNIQUE (invoice_number);
