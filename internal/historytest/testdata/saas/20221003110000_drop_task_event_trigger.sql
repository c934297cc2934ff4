-- +goose Up
-- The app records task events itself now, with the actor; the trigger recorded each change twice.
DROP TRIGGER tasks_record_event ON tasks;
DROP FUNCTION record_task_event();

-- +goose Down
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
