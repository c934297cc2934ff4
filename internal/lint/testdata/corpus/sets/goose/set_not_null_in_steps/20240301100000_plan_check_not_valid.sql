-- +goose Up
ALTER TABLE workspaces ADD CONSTRAINT workspaces_plan_not_null CHECK (plan IS NOT NULL) NOT VALID;
-- +goose Down
ALTER TABLE workspaces DROP CONSTRAINT workspaces_plan_not_null;
