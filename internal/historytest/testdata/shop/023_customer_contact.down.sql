ALTER TABLE customers ALTER COLUMN name DROP NOT NULL;
ALTER TABLE customers DROP COLUMN marketing_opt_in;
ALTER TABLE customers DROP COLUMN phone;
