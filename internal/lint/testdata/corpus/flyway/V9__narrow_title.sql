-- danger: narrowing varchar(200) to varchar(80) checks and rewrites every row (steady cannot see the current type offline)
-- expect: info changing-column-type
-- expect: info prefer-text-field
ALTER TABLE listings ALTER COLUMN title TYPE varchar(80);
