-- +goose Up
-- The beta customers were set up by hand in a spreadsheet; bring them over so that they can log in
-- on launch day with their projects in place.
INSERT INTO accounts (name, slug, plan, created_at) VALUES
    ('Northwind Labs', 'northwind', 'pro', '2020-11-02 10:00:00+00'),
    ('Acme Rockets', 'acme', 'pro', '2020-11-19 14:30:00+00'),
    ('Globex', 'globex', 'free', '2021-01-07 09:15:00+00'),
    ('Initech', 'initech', 'free', '2021-02-22 16:45:00+00');
INSERT INTO canary (migration, step) VALUES ('20210316093000', 'beta accounts');

INSERT INTO users (email, full_name, created_at) VALUES
    ('Ada.Park@northwind.example', 'Ada Park', '2020-11-02 10:00:00+00'),
    ('ben@northwind.example', NULL, '2020-11-03 08:20:00+00'),
    ('Wile.Coyote@acme.example', 'Wile E. Coyote', '2020-11-19 14:30:00+00'),
    ('roadrunner@acme.example', NULL, '2020-11-20 11:05:00+00'),
    ('hank@globex.example', 'Hank Scorpio', '2021-01-07 09:15:00+00'),
    ('milton@initech.example', 'Milton Waddams', '2021-02-22 16:45:00+00'),
    ('peter@initech.example', 'Peter Gibbons', '2021-02-23 09:00:00+00');
INSERT INTO canary (migration, step) VALUES ('20210316093000', 'beta users');

INSERT INTO memberships (account_id, user_id, role, created_at)
SELECT a.id, u.id, v.role::membership_role, u.created_at
FROM (VALUES
        ('northwind', 'Ada.Park@northwind.example', 'owner'),
        ('northwind', 'ben@northwind.example', 'member'),
        ('acme', 'Wile.Coyote@acme.example', 'owner'),
        ('acme', 'roadrunner@acme.example', 'member'),
        ('globex', 'hank@globex.example', 'owner'),
        ('initech', 'peter@initech.example', 'owner'),
        ('initech', 'milton@initech.example', 'member')
    ) AS v (slug, email, role)
JOIN accounts a ON a.slug = v.slug
JOIN users u ON u.email = v.email;
INSERT INTO canary (migration, step) VALUES ('20210316093000', 'beta memberships');

INSERT INTO projects (account_id, name, description, created_at)
SELECT a.id, v.name, v.description, v.created_at::timestamptz
FROM (VALUES
        ('northwind', 'Website relaunch', 'New marketing site before the spring campaign', '2020-11-05 09:00:00+00'),
        ('northwind', 'Q1 hiring', NULL, '2020-12-01 09:00:00+00'),
        ('acme', 'Rocket skates v2', 'Second generation, with brakes', '2020-11-20 10:00:00+00'),
        ('globex', 'Office move', 'Cypress Creek campus', '2021-01-08 13:00:00+00'),
        ('initech', 'TPS report cover sheets', NULL, '2021-02-23 10:00:00+00')
    ) AS v (slug, name, description, created_at)
JOIN accounts a ON a.slug = v.slug;
INSERT INTO canary (migration, step) VALUES ('20210316093000', 'beta projects');

INSERT INTO tasks (project_id, title, status, assignee_id, due_on, created_at, updated_at)
SELECT p.id, v.title, v.status::task_status, u.id, v.due_on::date, p.created_at, p.created_at
FROM (VALUES
        ('northwind', 'Website relaunch', 'Draft the sitemap', 'done', 'ben@northwind.example', '2020-11-20'),
        ('northwind', 'Website relaunch', 'Pick a hosting provider', 'in_progress', 'Ada.Park@northwind.example', '2021-03-01'),
        ('northwind', 'Website relaunch', 'BLOCKED: copy review by legal', 'todo', 'ben@northwind.example', '2021-03-10'),
        ('northwind', 'Q1 hiring', 'Post the frontend role', 'done', 'Ada.Park@northwind.example', '2020-12-15'),
        ('northwind', 'Q1 hiring', 'Schedule onsite interviews', 'todo', NULL, '2021-04-01'),
        ('acme', 'Rocket skates v2', 'Brake prototype', 'in_progress', 'Wile.Coyote@acme.example', '2021-02-01'),
        ('acme', 'Rocket skates v2', 'Order more anvils', 'todo', 'roadrunner@acme.example', '2021-01-15'),
        ('acme', 'Rocket skates v2', 'BLOCKED: safety certification', 'in_progress', 'Wile.Coyote@acme.example', '2021-05-01'),
        ('globex', 'Office move', 'Sign the lease', 'done', 'hank@globex.example', '2021-01-20'),
        ('globex', 'Office move', 'Hammock delivery', 'done', 'hank@globex.example', '2021-02-10'),
        ('initech', 'TPS report cover sheets', 'Send the memo', 'done', 'peter@initech.example', '2021-03-01'),
        ('initech', 'TPS report cover sheets', 'Find the red stapler', 'todo', 'milton@initech.example', NULL)
    ) AS v (slug, project, title, status, email, due_on)
JOIN accounts a ON a.slug = v.slug
JOIN projects p ON p.account_id = a.id AND p.name = v.project
LEFT JOIN users u ON u.email = v.email;
INSERT INTO canary (migration, step) VALUES ('20210316093000', 'beta tasks');

-- +goose Down
-- Projects, tasks and memberships go with their account (ON DELETE CASCADE).
DELETE FROM accounts WHERE slug IN ('northwind', 'acme', 'globex', 'initech');
INSERT INTO canary (migration, step) VALUES ('20210316093000', 'down: beta accounts');

-- Emails may have been lowercased since.
DELETE FROM users WHERE lower(email) IN (
    'ada.park@northwind.example', 'ben@northwind.example', 'wile.coyote@acme.example',
    'roadrunner@acme.example', 'hank@globex.example', 'milton@initech.example', 'peter@initech.example');
INSERT INTO canary (migration, step) VALUES ('20210316093000', 'down: beta users');
