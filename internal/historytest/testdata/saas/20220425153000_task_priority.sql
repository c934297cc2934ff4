-- +goose Up
ALTER TABLE tasks
    ADD COLUMN priority smallint NOT NULL DEFAULT 3
    CONSTRAINT tasks_priority_check CHECK (priority BETWEEN 1 AND 4);

-- Overdue work starts out urgent, so that it shows at the top of the new sorted lists.
-- +goose StatementBegin
DO $$
DECLARE
    raised bigint;
BEGIN
    UPDATE tasks
    SET priority = 1
    WHERE status <> 'done'
      AND due_on IS NOT NULL
      AND due_on < current_date;
    GET DIAGNOSTICS raised = ROW_COUNT;
    RAISE NOTICE 'priority 1 for % overdue tasks', raised;
    INSERT INTO canary (migration, step) VALUES ('20220425153000', 'overdue tasks urgent');
END
$$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE tasks DROP COLUMN priority;
