-- +goose Up
ALTER TYPE task_status ADD VALUE 'blocked' AFTER 'in_progress';

-- +goose Down
-- PostgreSQL cannot drop an enum value: rebuild the type without it. Blocked tasks go back to
-- in_progress, and the view that reads the column is re-created around the change.
DROP VIEW project_summary;
ALTER TABLE tasks ALTER COLUMN status DROP DEFAULT;
ALTER TYPE task_status RENAME TO task_status_old;
CREATE TYPE task_status AS ENUM ('todo', 'in_progress', 'done');
ALTER TABLE tasks ALTER COLUMN status TYPE task_status
    USING (CASE status::text WHEN 'blocked' THEN 'in_progress' ELSE status::text END)::task_status;
ALTER TABLE tasks ALTER COLUMN status SET DEFAULT 'todo';
DROP TYPE task_status_old;
CREATE VIEW project_summary AS
SELECT p.id AS project_id,
       p.account_id,
       p.name,
       count(t.id) AS task_count,
       count(t.id) FILTER (WHERE t.status = 'done') AS done_count
FROM projects p
LEFT JOIN tasks t ON t.project_id = p.id
WHERE NOT p.archived
GROUP BY p.id;
