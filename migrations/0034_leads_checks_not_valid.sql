-- Lead management: lead statuses are slugs keyed into tabs_config, and phones are E.164.
-- Added NOT VALID (checks new rows only, no long scan under lock); validated in 0036
-- once old rows have been normalised.

ALTER TABLE leads
    ADD CONSTRAINT leads_status_check CHECK (status ~ '^[a-z][a-z0-9_]{0,39}$') NOT VALID;

ALTER TABLE leads
    ADD CONSTRAINT leads_phone_e164_check CHECK (phone_e164 IS NULL OR phone_e164 ~ '^\+[1-9][0-9]{6,14}$') NOT VALID;
