-- +goose Up
CREATE OR REPLACE VIEW project_summary AS
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

-- For the account badge in the sidebar.
-- +goose StatementBegin
CREATE FUNCTION account_open_task_count(p_account_id bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(open_count), 0)::bigint
    FROM project_summary
    WHERE account_id = p_account_id
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION account_open_task_count(bigint);
DROP VIEW project_summary;
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
