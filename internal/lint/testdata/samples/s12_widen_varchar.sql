-- A reference code, then a longer limit for it: varchar(16) to varchar(64) is binary-coercible.
ALTER TABLE leads
    ADD COLUMN ref_code varchar(16);

ALTER TABLE leads
    ALTER COLUMN ref_code TYPE varchar(64);
