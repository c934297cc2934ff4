-- danger: narrowing varchar(255) to varchar(40) checks and rewrites every label
-- expect: warning changing-column-type
-- expect: info prefer-text-field
ALTER TABLE labels ALTER COLUMN name TYPE varchar(40);
