-- migrate:up
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'analytics') THEN
        CREATE ROLE analytics NOLOGIN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO analytics', current_schema());
END
$$;

-- migrate:down
SELECT 1;
