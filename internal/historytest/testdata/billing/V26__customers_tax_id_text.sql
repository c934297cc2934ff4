-- No length limit on tax ids (some registries append branch codes), but one format: upper case,
-- country prefix, no separators. The API enforces it on new rows; old rows are normalized in 27.
ALTER TABLE customers ALTER COLUMN tax_id TYPE text;
ALTER TABLE customers ADD CONSTRAINT customers_tax_id_format CHECK (tax_id ~ '^[A-Z]{2}[A-Z0-9]+$') NOT VALID;
