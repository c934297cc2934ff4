-- AlterTable
ALTER TABLE "Prescription" DROP COLUMN "days",
ADD COLUMN     "refills" INTEGER NOT NULL DEFAULT 0;
