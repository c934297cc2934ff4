-- DropIndex
DROP INDEX "Owner_phone_idx";

-- CreateIndex
CREATE INDEX "Owner_fullName_idx" ON "Owner"("fullName");
