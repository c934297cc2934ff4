CREATE TYPE user_role AS ENUM ('member', 'moderator', 'admin');

ALTER TABLE users ADD COLUMN role user_role NOT NULL DEFAULT 'member';

UPDATE users SET role = 'admin' WHERE username = 'admin';
INSERT INTO canary (migration, step) VALUES ('20221003120000', 'admin role');
