-- +goose Up
-- +goose StatementBegin
-- danger: the loop builds an index on every tenant table without CONCURRENTLY
-- expect: warning require-concurrent-index-creation
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'tenant_%' LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (created_at)', t || '_created_at_idx', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
