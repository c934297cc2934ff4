UPDATE "User" SET "role" = 'FRONT_DESK' WHERE "role" = 'RECEPTION';
INSERT INTO canary (migration, step) VALUES ('20231018103000', 'reception to front desk');
