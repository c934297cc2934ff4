-- +goose Up
CREATE TYPE task_status AS ENUM ('todo', 'in_progress', 'done');

CREATE TABLE projects (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text,
    archived boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX projects_account_id_idx ON projects (account_id);

CREATE TABLE tasks (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title text NOT NULL,
    status task_status NOT NULL DEFAULT 'todo',
    assignee_id bigint REFERENCES users (id) ON DELETE SET NULL,
    due_on date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX tasks_project_id_idx ON tasks (project_id);
CREATE INDEX tasks_assignee_idx ON tasks (assignee_id);

-- +goose Down
DROP TABLE tasks;
DROP TABLE projects;
DROP TYPE task_status;
