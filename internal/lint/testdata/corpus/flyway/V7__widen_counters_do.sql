-- danger: the EXECUTE rewrites page_views to change the column type
-- expect: warning changing-column-type
DO $$
BEGIN
    IF (SELECT data_type FROM information_schema.columns WHERE table_name = 'page_views' AND column_name = 'views') = 'integer' THEN
        EXECUTE 'ALTER TABLE page_views ALTER COLUMN views TYPE bigint';
    END IF;
END
$$;
