-- migrate:up
ALTER TABLE contacts ALTER COLUMN notes TYPE text;

-- migrate:down
SELECT 1;
