-- migrate:up
-- Audit of every data statement in this history: one row per statement, so that a statement
-- run twice shows up as a count of 2.
CREATE TABLE canary (
    id bigserial PRIMARY KEY,
    migration text NOT NULL,
    step text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE authors (
    id bigserial PRIMARY KEY,
    handle text NOT NULL,
    display_name text NOT NULL,
    bio text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT authors_handle_key UNIQUE (handle)
);

CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES authors (id),
    title text NOT NULL,
    body text NOT NULL,
    status text NOT NULL DEFAULT 'draft',
    published_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT posts_status_check CHECK (status IN ('draft', 'published'))
);

-- migrate:down
DROP TABLE posts;
DROP TABLE authors;
DROP TABLE canary;
