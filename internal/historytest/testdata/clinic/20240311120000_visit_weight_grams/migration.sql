-- AlterTable
ALTER TABLE "Visit" ADD COLUMN     "weightGrams" INTEGER;

-- Added by hand: keep the weights recorded so far.
UPDATE "Visit" SET "weightGrams" = round("weightKg" * 1000) WHERE "weightKg" IS NOT NULL;
INSERT INTO canary (migration, step) VALUES ('20240311120000', 'weights to grams');

-- AlterTable
ALTER TABLE "Visit" DROP COLUMN "weightKg";
