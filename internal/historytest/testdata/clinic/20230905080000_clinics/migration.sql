-- CreateTable
CREATE TABLE "Clinic" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "city" TEXT NOT NULL,

    CONSTRAINT "Clinic_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "Appointment" ADD COLUMN     "clinicId" INTEGER;

-- The existing practice becomes the first clinic; every appointment so far was there.
INSERT INTO "Clinic" ("name", "city") VALUES ('Paws Clinic Riverside', 'Leeds');
INSERT INTO canary (migration, step) VALUES ('20230905080000', 'first clinic');
UPDATE "Appointment" SET "clinicId" = (SELECT "id" FROM "Clinic" WHERE "name" = 'Paws Clinic Riverside');
INSERT INTO canary (migration, step) VALUES ('20230905080000', 'appointments to clinic');

-- AddForeignKey
ALTER TABLE "Appointment" ADD CONSTRAINT "Appointment_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE SET NULL ON UPDATE CASCADE;
