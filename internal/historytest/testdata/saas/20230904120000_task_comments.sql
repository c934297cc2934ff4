-- +goose Up
CREATE TABLE task_comments (
    id bigserial PRIMARY KEY,
    task_id bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    author_id bigint REFERENCES users (id) ON DELETE SET NULL,
    body text NOT NULL CONSTRAINT task_comments_body_check CHECK (length(body) > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX task_comments_task_id_created_at_idx ON task_comments (task_id, created_at);

-- +goose Down
DROP TABLE task_comments;
