-- migrate:up
-- An empty bio showed as an empty box: back to NULL for "no bio".
ALTER TABLE authors ALTER COLUMN bio DROP NOT NULL;
ALTER TABLE authors ALTER COLUMN bio DROP DEFAULT;

UPDATE authors SET bio = NULL WHERE bio = '';
INSERT INTO canary (migration, step) VALUES ('20240722143000', 'null bios');

-- migrate:down
UPDATE authors SET bio = '' WHERE bio IS NULL;
INSERT INTO canary (migration, step) VALUES ('20240722143000', 'down: empty bios');

ALTER TABLE authors ALTER COLUMN bio SET DEFAULT '';
ALTER TABLE authors ALTER COLUMN bio SET NOT NULL;
