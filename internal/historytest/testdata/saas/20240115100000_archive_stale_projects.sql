-- +goose Up
-- Archive projects whose work is all done and that nobody touched in a year, and say so in each
-- account's audit trail.
-- +goose StatementBegin
DO $$
DECLARE
    r record;
    archived integer := 0;
BEGIN
    FOR r IN
        SELECT p.id, p.account_id
        FROM projects p
        WHERE NOT p.archived
          AND p.updated_at < now() - interval '1 year'
          AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.project_id = p.id AND t.status <> 'done')
        ORDER BY p.id
    LOOP
        UPDATE projects SET archived = true WHERE id = r.id;
        INSERT INTO audit_events (account_id, action, subject)
        VALUES (r.account_id, 'project.auto_archived', 'project:' || r.id);
        archived := archived + 1;
    END LOOP;
    RAISE NOTICE 'archived % stale projects', archived;
    INSERT INTO canary (migration, step) VALUES ('20240115100000', 'archive stale projects');
END
$$;
-- +goose StatementEnd

-- +goose Down
UPDATE projects
SET archived = false
WHERE id IN (SELECT substring(subject FROM '^project:(\d+)$')::bigint
             FROM audit_events
             WHERE action = 'project.auto_archived');
INSERT INTO canary (migration, step) VALUES ('20240115100000', 'down: unarchive projects');

DELETE FROM audit_events WHERE action = 'project.auto_archived';
INSERT INTO canary (migration, step) VALUES ('20240115100000', 'down: forget auto_archived events');
