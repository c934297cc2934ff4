-- Accountants in several countries want the year in the invoice number.
CREATE OR REPLACE FUNCTION next_invoice_number() RETURNS text
LANGUAGE sql AS $$
    SELECT 'INV-' || to_char(now() AT TIME ZONE 'UTC', 'YYYY') || '-' || lpad(nextval('invoice_number_seq')::text, 6, '0')
$$;
