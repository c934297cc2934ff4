-- Owners without an e-mail get the front desk's placeholder, so that reminders can go out.
UPDATE "Owner" SET "email" = 'owner-' || "id" || '@noemail.pawsclinic.example' WHERE "email" IS NULL;
INSERT INTO canary (migration, step) VALUES ('20230710091500', 'placeholder emails');

-- AlterTable
ALTER TABLE "Owner" ALTER COLUMN "email" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Owner_email_key" ON "Owner"("email");
