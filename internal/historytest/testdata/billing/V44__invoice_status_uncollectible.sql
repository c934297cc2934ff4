ALTER TYPE invoice_status ADD VALUE 'uncollectible' AFTER 'paid';
