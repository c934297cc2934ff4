-- +goose Up
CREATE OR REPLACE VIEW project_summary AS
SELECT p.id AS project_id,
       p.account_id,
       p.name,
       count(t.id) AS task_count,
       count(t.id) FILTER (WHERE t.status = 'done') AS done_count,
       count(t.id) FILTER (WHERE t.status <> 'done') AS open_count,
       (SELECT count(*)
        FROM task_comments c
        JOIN tasks ct ON ct.id = c.task_id
        WHERE ct.project_id = p.id) AS comment_count
FROM projects p
LEFT JOIN tasks t ON t.project_id = p.id
WHERE NOT p.archived
GROUP BY p.id;

-- The badge counted blocked tasks as work to do; people asked for it not to.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION account_open_task_count(p_account_id bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(*)
    FROM tasks t
    JOIN projects p ON p.id = t.project_id
    WHERE p.account_id = p_account_id
      AND NOT p.archived
      AND t.status IN ('todo', 'in_progress')
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION account_open_task_count(p_account_id bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(open_count), 0)::bigint
    FROM project_summary
    WHERE account_id = p_account_id
$$;
-- +goose StatementEnd

DROP VIEW project_summary;
CREATE VIEW project_summary AS
SELECT p.id AS project_id,
       p.account_id,
       p.name,
       count(t.id) AS task_count,
       count(t.id) FILTER (WHERE t.status = 'done') AS done_count,
       count(t.id) FILTER (WHERE t.status <> 'done') AS open_count
FROM projects p
LEFT JOIN tasks t ON t.project_id = p.id
WHERE NOT p.archived
GROUP BY p.id;
