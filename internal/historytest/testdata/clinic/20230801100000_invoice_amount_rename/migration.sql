-- AlterTable (edited: Prisma generated DROP + ADD for the @map change)
ALTER TABLE "Invoice" RENAME COLUMN "totalCents" TO "amountCents";
