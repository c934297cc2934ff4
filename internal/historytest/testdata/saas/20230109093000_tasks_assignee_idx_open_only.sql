-- +goose NO TRANSACTION
-- +goose Up
-- The assignee index only serves "my open tasks by due date" now. tasks is too busy to lock for
-- a plain CREATE INDEX, so rebuild it concurrently, outside a transaction.
DROP INDEX CONCURRENTLY IF EXISTS tasks_assignee_idx;
CREATE INDEX CONCURRENTLY tasks_assignee_idx ON tasks (assignee_id, due_on) WHERE status <> 'done';

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS tasks_assignee_idx;
CREATE INDEX CONCURRENTLY tasks_assignee_idx ON tasks (assignee_id);
