UPDATE accounts SET name = initcap(name) WHERE name <> initcap(name);
INSERT INTO canary (migration, step) VALUES ('20240205140000', 'title case');
