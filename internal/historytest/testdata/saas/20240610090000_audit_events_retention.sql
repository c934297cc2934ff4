-- +goose Up
-- The audit trail is kept for two years (terms of service, section 9); drop what is older.
DELETE FROM audit_events WHERE created_at < now() - interval '2 years';
INSERT INTO canary (migration, step) VALUES ('20240610090000', 'delete audit events older than two years');

-- +goose Down
-- Deleted audit events cannot be restored.
