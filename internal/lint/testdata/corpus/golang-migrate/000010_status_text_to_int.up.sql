-- danger: USING rewrites the table under ACCESS EXCLUSIVE
-- expect: warning changing-column-type
ALTER TABLE jobs ALTER COLUMN priority TYPE integer USING priority::integer;
