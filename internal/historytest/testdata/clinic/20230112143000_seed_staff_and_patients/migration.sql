-- The clinic's staff and first patients, from the spreadsheet the front desk kept until now.
INSERT INTO "User" ("email", "name", "role") VALUES
    ('dr.okafor@pawsclinic.example', 'Amara Okafor', 'VET'),
    ('dr.lindqvist@pawsclinic.example', 'Erik Lindqvist', 'VET'),
    ('frontdesk@pawsclinic.example', 'Rosa Delgado', 'RECEPTION'),
    ('admin@pawsclinic.example', 'Clinic Admin', 'ADMIN');
INSERT INTO canary (migration, step) VALUES ('20230112143000', 'staff');

INSERT INTO "Owner" ("fullName", "email") VALUES
    ('Hannah Weiss', 'hannah@mail.example'),
    ('Kofi Mensah', NULL),
    ('Lucía Romero', 'lucia.romero@mail.example');
INSERT INTO canary (migration, step) VALUES ('20230112143000', 'owners');

INSERT INTO "Pet" ("name", "species", "birthDate", "ownerId")
SELECT p.name, p.species, p.born, o."id"
FROM (VALUES
    ('Biscuit', 'dog', DATE '2019-04-02', 'Hannah Weiss'),
    ('Miso', 'Cat', DATE '2021-08-15', 'Hannah Weiss'),
    ('Kiwi', 'parrot', NULL, 'Kofi Mensah'),
    ('Luna', 'dog', DATE '2016-01-20', 'Lucía Romero'),
    ('Pepper', 'guinea pig', DATE '2022-02-11', 'Lucía Romero')
) AS p (name, species, born, owner)
JOIN "Owner" o ON o."fullName" = p.owner;
INSERT INTO canary (migration, step) VALUES ('20230112143000', 'pets');
