-- Hot fix for 12: the provider rejects lower-case currency codes.
UPDATE plans SET currency = upper(currency) WHERE currency <> upper(currency);
INSERT INTO canary (migration, step) VALUES ('12.1', 'uppercase plan currencies');

-- Retired plans nobody is subscribed to any more.
DELETE FROM plans p
WHERE NOT p.active
  AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.plan_id = p.id);
INSERT INTO canary (migration, step) VALUES ('12.1', 'delete unused retired plans');

ALTER TABLE plans ADD CONSTRAINT plans_currency_check CHECK (currency = upper(currency));
