-- migrate:up
UPDATE authors SET bio = '' WHERE bio IS NULL;
INSERT INTO canary (migration, step) VALUES ('20240415143000', 'empty bios');

ALTER TABLE authors ALTER COLUMN bio SET DEFAULT '';
ALTER TABLE authors ALTER COLUMN bio SET NOT NULL;

-- migrate:down
ALTER TABLE authors ALTER COLUMN bio DROP NOT NULL;
ALTER TABLE authors ALTER COLUMN bio DROP DEFAULT;
