UPDATE customers SET name = split_part(email, '@', 1) WHERE name IS NULL;
INSERT INTO canary (migration, step) VALUES ('52', 'down: names from emails');

ALTER TABLE customers ALTER COLUMN name SET NOT NULL;
