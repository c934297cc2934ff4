DROP INDEX IF EXISTS messages_thread_id_idx;
