-- DropIndex
DROP INDEX "Appointment_vetId_startsAt_idx";

-- CreateIndex
CREATE INDEX "Appointment_vetId_status_startsAt_idx" ON "Appointment"("vetId", "status", "startsAt");
