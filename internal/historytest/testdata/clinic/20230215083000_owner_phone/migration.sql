-- AlterTable
ALTER TABLE "Owner" ADD COLUMN     "phone" TEXT;

-- CreateIndex
CREATE INDEX "Owner_phone_idx" ON "Owner"("phone");
