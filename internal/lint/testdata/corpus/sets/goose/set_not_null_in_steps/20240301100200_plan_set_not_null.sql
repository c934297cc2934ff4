-- +goose Up
-- The validated CHECK lets SET NOT NULL skip the scan (PostgreSQL 12+).
ALTER TABLE workspaces ALTER COLUMN plan SET NOT NULL;
ALTER TABLE workspaces DROP CONSTRAINT workspaces_plan_not_null;
-- +goose Down
ALTER TABLE workspaces ALTER COLUMN plan DROP NOT NULL;
