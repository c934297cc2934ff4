UPDATE customers
SET tax_id = upper(regexp_replace(tax_id, '[^A-Za-z0-9]', '', 'g'))
WHERE tax_id IS NOT NULL AND tax_id !~ '^[A-Z]{2}[A-Z0-9]+$';
INSERT INTO canary (migration, step) VALUES ('27', 'normalize tax ids');

ALTER TABLE customers VALIDATE CONSTRAINT customers_tax_id_format;
