-- backfill: business_webhook_secret
-- description: business.webhook_secret for rows without one (empty): 32 random bytes, hex.
--   Existing secrets are never replaced: customers verify signatures with them
-- table: business
-- key: id
--
-- One batch by hand: psql -v from=0 -v to=1000 -f backfills/business_webhook_secret.sql

UPDATE business SET webhook_secret = encode(gen_random_bytes(32), 'hex')
WHERE id > :from AND id <= :to AND btrim(webhook_secret) = '';

-- The businesses of the range still without a secret.
SELECT id FROM business WHERE id > :from AND id <= :to AND btrim(webhook_secret) = '';
