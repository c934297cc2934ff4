-- Webhooks: outgoing webhooks are signed (HMAC-SHA256) with a per-business secret.
-- The column is added nullable, given a default, filled for existing rows, then made NOT NULL.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

ALTER TABLE business
    ADD COLUMN webhook_url    text,
    ADD COLUMN webhook_secret text;

-- Only new rows get the default: a volatile default in ADD COLUMN would rewrite the table.
ALTER TABLE business
    ALTER COLUMN webhook_secret SET DEFAULT encode(gen_random_bytes(32), 'hex');

-- steady:allow backfill-in-ddl-transaction business has one row per tenant: the update takes milliseconds
UPDATE business
SET webhook_secret = encode(gen_random_bytes(32), 'hex')
WHERE webhook_secret IS NULL;

-- steady:allow adding-not-nullable-field business has one row per tenant: the scan takes milliseconds
ALTER TABLE business
    ALTER COLUMN webhook_secret SET NOT NULL;
