-- Amounts as integers of minor units: no more rounding surprises in reports.
ALTER TABLE postings ADD COLUMN amount_minor bigint;

UPDATE postings SET amount_minor = (amount * 100)::bigint;
INSERT INTO canary (migration, step) VALUES ('20230919110000', 'amounts to minor units');
