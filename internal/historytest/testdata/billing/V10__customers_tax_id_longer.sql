-- EU VAT numbers with their country prefix and separators do not fit in 20 characters.
ALTER TABLE customers ALTER COLUMN tax_id TYPE varchar(64);
