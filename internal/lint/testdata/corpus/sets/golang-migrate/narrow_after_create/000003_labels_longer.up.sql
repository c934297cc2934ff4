-- Widening back is a catalog change only.
-- expect: info prefer-text-field
ALTER TABLE labels ALTER COLUMN name TYPE varchar(120);
