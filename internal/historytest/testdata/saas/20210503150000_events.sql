-- +goose Up
-- Account activity feed and audit trail.
CREATE TABLE events (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    actor_id bigint REFERENCES users (id) ON DELETE SET NULL,
    action text NOT NULL,
    subject text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX events_account_id_created_at_idx ON events (account_id, created_at);

-- Task changes are recorded by the database until the app records them itself.
-- +goose StatementBegin
CREATE FUNCTION record_task_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO events (account_id, action, subject)
        SELECT p.account_id, 'task.' || NEW.status, 'task:' || NEW.id
        FROM projects p
        WHERE p.id = NEW.project_id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER tasks_record_event
    AFTER INSERT OR UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION record_task_event();

-- Start the feed with the tasks that exist today.
INSERT INTO events (account_id, action, subject, created_at)
SELECT p.account_id, 'task.created', 'task:' || t.id, t.created_at
FROM tasks t
JOIN projects p ON p.id = t.project_id;
INSERT INTO canary (migration, step) VALUES ('20210503150000', 'backfill task events');

-- +goose Down
DROP TRIGGER tasks_record_event ON tasks;
DROP FUNCTION record_task_event();
DROP TABLE events;
