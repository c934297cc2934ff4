-- Widening a varchar is a catalog change only.
ALTER TABLE companies ALTER COLUMN name TYPE varchar(200);
