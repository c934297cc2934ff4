-- migrate:up
INSERT INTO authors (handle, display_name, bio) VALUES
    ('mira', 'Mira Cohen', 'Writes about databases and the people who run them.'),
    ('tomas', 'Tomás Rivera', NULL),
    ('ines', 'Inès Martin', 'Editor. Coffee, commas, cache invalidation.');
INSERT INTO canary (migration, step) VALUES ('20240108094500', 'seed authors');

INSERT INTO posts (author_id, title, body, status, published_at, created_at)
SELECT a.id, p.title, p.body, p.status, CASE WHEN p.status = 'published' THEN now() - p.age END, now() - p.age
FROM (VALUES
    ('mira', 'Why We Moved to PgBouncer', 'Connection storms, one deploy too many; then a pooler.', 'published', interval '200 days'),
    ('mira', 'Zero-Downtime Migrations', 'Expand, migrate, contract. Every step reversible; every lock short.', 'published', interval '150 days'),
    ('tomas', 'Notes on Vacuum', 'Draft: autovacuum thresholds, freeze age, and the 2 AM page.', 'draft', interval '120 days'),
    ('ines', 'Style Guide: Headlines', 'Sentence case. No colons: unless needed.', 'published', interval '90 days'),
    ('tomas', 'Casino Bonus Codes?', 'An experiment in what spam looks like.', 'draft', interval '10 days')
) AS p (handle, title, body, status, age)
JOIN authors a ON a.handle = p.handle;
INSERT INTO canary (migration, step) VALUES ('20240108094500', 'seed posts');

-- migrate:down
DELETE FROM posts WHERE author_id IN (SELECT id FROM authors WHERE handle IN ('mira', 'tomas', 'ines'));
INSERT INTO canary (migration, step) VALUES ('20240108094500', 'down: unseed posts');
DELETE FROM authors WHERE handle IN ('mira', 'tomas', 'ines');
INSERT INTO canary (migration, step) VALUES ('20240108094500', 'down: unseed authors');
