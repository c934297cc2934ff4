-- The staging table becomes permanent.
-- danger: SET LOGGED writes the whole table to the WAL under ACCESS EXCLUSIVE
-- expect: warning changing-table-persistence
ALTER TABLE import_rows SET LOGGED;
