-- Two demo accounts for the landing page's screenshots.
insert into auth.users (id, email) values
    ('6f1e1c9a-3a52-4c1f-9d0e-1b2a3c4d5e01', 'maya@journal.example'),
    ('6f1e1c9a-3a52-4c1f-9d0e-1b2a3c4d5e02', 'jonas@journal.example');
INSERT INTO canary (migration, step) VALUES ('20240301091500', 'auth users');

insert into public.profiles (id, username, display_name) values
    ('6f1e1c9a-3a52-4c1f-9d0e-1b2a3c4d5e01', 'maya', 'Maya Fischer'),
    ('6f1e1c9a-3a52-4c1f-9d0e-1b2a3c4d5e02', 'jonas', null);
INSERT INTO canary (migration, step) VALUES ('20240301091500', 'profiles');
