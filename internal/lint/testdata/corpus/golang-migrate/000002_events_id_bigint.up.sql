-- The events id is about to overflow.
-- danger: int to bigint rewrites the table and all its indexes under ACCESS EXCLUSIVE
-- expect: warning changing-column-type
ALTER TABLE events ALTER COLUMN id TYPE bigint;
