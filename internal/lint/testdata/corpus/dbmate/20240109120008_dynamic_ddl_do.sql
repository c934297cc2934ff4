-- migrate:up
-- danger: the statement is read from a setting at run time: nobody can review what it does
-- expect: warning dynamic-sql-not-analysed
DO $$
DECLARE
    stmt text := current_setting('app.pending_ddl', true);
BEGIN
    IF stmt IS NOT NULL THEN
        EXECUTE stmt;
    END IF;
END
$$;

-- migrate:down
SELECT 1;
