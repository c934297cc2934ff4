-- danger: the inline UNIQUE builds an index under ACCESS EXCLUSIVE
-- expect: warning disallowed-unique-constraint
ALTER TABLE vendors ADD COLUMN tax_id text UNIQUE;
