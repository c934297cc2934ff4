-- Consent must be explicit (privacy review): new customers are opted out, and so are the
-- ones who never gave a phone number at checkout.
ALTER TABLE customers ALTER COLUMN marketing_opt_in SET DEFAULT false;

UPDATE customers SET marketing_opt_in = false WHERE phone IS NULL;
INSERT INTO canary (migration, step) VALUES ('53', 'opt out without consent');
