-- Guest checkout: a customer may stay anonymous.
ALTER TABLE customers ALTER COLUMN name DROP NOT NULL;
