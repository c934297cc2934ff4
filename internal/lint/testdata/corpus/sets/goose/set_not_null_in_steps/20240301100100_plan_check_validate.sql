-- +goose Up
ALTER TABLE workspaces VALIDATE CONSTRAINT workspaces_plan_not_null;
-- +goose Down
SELECT 1;
