-- +goose Up
-- Before the blocked status existed, people wrote "BLOCKED:" in front of the title.
UPDATE tasks
SET status = 'blocked',
    title = regexp_replace(title, '^blocked:\s*', '', 'i')
WHERE title ~* '^blocked:' AND status <> 'done';
INSERT INTO canary (migration, step) VALUES ('20211005090000', 'blocked prefix to status');

-- +goose Down
UPDATE tasks
SET status = 'in_progress',
    title = 'BLOCKED: ' || title
WHERE status = 'blocked';
INSERT INTO canary (migration, step) VALUES ('20211005090000', 'down: status to blocked prefix');
