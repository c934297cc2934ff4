-- +goose Up
-- Invitation links now expire after 90 days; clear out the ones that never will be used.
DELETE FROM invitations
WHERE accepted_at IS NULL
  AND coalesce(last_sent_at, created_at) < now() - interval '90 days';
INSERT INTO canary (migration, step) VALUES ('20220711090000', 'delete expired invitations');

-- +goose Down
-- Expired invitations are gone for good: there is nothing to put back.
