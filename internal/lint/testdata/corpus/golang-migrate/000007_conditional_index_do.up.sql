-- danger: the index inside the DO block is built without CONCURRENTLY
-- expect: warning require-concurrent-index-creation
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'messages_thread_id_idx') THEN
        CREATE INDEX messages_thread_id_idx ON messages (thread_id);
    END IF;
END
$$;
