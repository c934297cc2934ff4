ALTER TABLE customers ADD COLUMN phone text;
ALTER TABLE customers ADD COLUMN marketing_opt_in boolean NOT NULL DEFAULT true;

-- Every customer gets a display name before the column becomes required.
UPDATE customers SET name = split_part(email, '@', 1) WHERE name IS NULL;
INSERT INTO canary (migration, step) VALUES ('23', 'names from emails');

ALTER TABLE customers ALTER COLUMN name SET NOT NULL;
