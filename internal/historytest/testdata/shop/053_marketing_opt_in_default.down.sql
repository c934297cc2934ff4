ALTER TABLE customers ALTER COLUMN marketing_opt_in SET DEFAULT true;
