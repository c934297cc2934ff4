-- danger: dropping a table with data, still referenced by old code
-- expect: warning ban-drop-table
DROP TABLE audit_log_2019;
