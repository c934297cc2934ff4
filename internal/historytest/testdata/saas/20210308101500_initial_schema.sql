-- +goose Up
-- Audit of data changes made by migrations: every data statement below leaves one row here.
CREATE TABLE canary (
    id bigserial PRIMARY KEY,
    migration text NOT NULL,
    step text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    slug text NOT NULL CONSTRAINT accounts_slug_key UNIQUE,
    plan text NOT NULL DEFAULT 'free' CONSTRAINT accounts_plan_check CHECK (plan IN ('free', 'pro')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    full_name text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_idx ON users (email);

-- +goose Down
DROP TABLE users;
DROP TABLE accounts;
DROP TABLE canary;
