-- +goose Up
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

-- +goose Down
DROP VIEW project_summary;
