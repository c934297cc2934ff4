-- +goose Up
ALTER TABLE invitations
    ADD COLUMN resent_count integer NOT NULL DEFAULT 0,
    ADD COLUMN last_sent_at timestamptz;

-- Every invitation was sent once, when it was created.
UPDATE invitations SET last_sent_at = created_at WHERE last_sent_at IS NULL;
INSERT INTO canary (migration, step) VALUES ('20210719093000', 'last_sent_at from created_at');

-- +goose Down
ALTER TABLE invitations
    DROP COLUMN last_sent_at,
    DROP COLUMN resent_count;
