-- Appointments and visits imported from the old booking tool.
INSERT INTO "Appointment" ("petId", "vetId", "startsAt", "status", "reason", "durationMinutes")
SELECT p."id", u."id", a.starts, a.status::"AppointmentStatus", a.reason, a.minutes
FROM (VALUES
    ('Biscuit', 'dr.okafor@pawsclinic.example', TIMESTAMP '2023-03-01 09:00', 'COMPLETED', 'Vaccination', 20),
    ('Miso', 'dr.lindqvist@pawsclinic.example', TIMESTAMP '2023-03-08 14:30', 'NO_SHOW', 'Dental check', 30),
    ('Kiwi', 'dr.okafor@pawsclinic.example', TIMESTAMP '2023-04-02 11:00', 'CANCELLED', 'Beak trim', 15),
    ('Luna', 'dr.lindqvist@pawsclinic.example', TIMESTAMP '2023-04-25 10:15', 'SCHEDULED', 'Limping', 45),
    ('Pepper', 'dr.okafor@pawsclinic.example', TIMESTAMP '2023-04-03 16:00', 'COMPLETED', 'Overgrown teeth', 30)
) AS a (pet, vet, starts, status, reason, minutes)
JOIN "Pet" p ON p."name" = a.pet
JOIN "User" u ON u."email" = a.vet;
INSERT INTO canary (migration, step) VALUES ('20230420080000', 'appointments');

INSERT INTO "Visit" ("appointmentId", "weightKg", "notes")
SELECT a."id", v.kg, v.notes
FROM (VALUES ('Biscuit', 24.60, 'Rabies booster given.'), ('Pepper', 1.05, 'Incisors trimmed.')) AS v (pet, kg, notes)
JOIN "Pet" p ON p."name" = v.pet
JOIN "Appointment" a ON a."petId" = p."id" AND a."status" = 'COMPLETED';
INSERT INTO canary (migration, step) VALUES ('20230420080000', 'visits');

INSERT INTO "Prescription" ("visitId", "drug", "dosage", "days")
SELECT v."id", 'Meloxicam', '0.1 mg/kg once daily', 5
FROM "Visit" v JOIN "Appointment" a ON a."id" = v."appointmentId" JOIN "Pet" p ON p."id" = a."petId"
WHERE p."name" = 'Pepper';
INSERT INTO canary (migration, step) VALUES ('20230420080000', 'prescriptions');
