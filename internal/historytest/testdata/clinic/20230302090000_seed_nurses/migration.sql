-- The new value can be used now that the migration that added it has committed.
INSERT INTO "User" ("email", "name", "role") VALUES
    ('nurse.ito@pawsclinic.example', 'Yuki Ito', 'NURSE'),
    ('nurse.brennan@pawsclinic.example', 'Siobhan Brennan', 'NURSE');
INSERT INTO canary (migration, step) VALUES ('20230302090000', 'nurses');
