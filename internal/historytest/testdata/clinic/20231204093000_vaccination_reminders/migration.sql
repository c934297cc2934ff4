-- A booster is due a year after each vaccination visit.
INSERT INTO "Reminder" ("petId", "kind", "dueOn")
SELECT a."petId", 'VACCINATION', (a."startsAt" + INTERVAL '1 year')::date
FROM "Appointment" a
WHERE a."status" = 'COMPLETED' AND a."reason" = 'Vaccination';
INSERT INTO canary (migration, step) VALUES ('20231204093000', 'vaccination reminders');
