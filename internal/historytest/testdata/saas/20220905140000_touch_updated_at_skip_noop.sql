-- +goose Up
-- Saving a form without changes bumped updated_at and reordered everyone's "recently changed" list.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

ALTER TABLE projects ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

UPDATE projects SET updated_at = created_at;
INSERT INTO canary (migration, step) VALUES ('20220905140000', 'projects updated_at from created_at');

CREATE TRIGGER projects_touch_updated_at
    BEFORE UPDATE ON projects
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- +goose Down
DROP TRIGGER projects_touch_updated_at ON projects;
ALTER TABLE projects DROP COLUMN updated_at;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
-- +goose StatementEnd
