-- CreateEnum
CREATE TYPE "Species" AS ENUM ('DOG', 'CAT', 'BIRD', 'RABBIT', 'OTHER');

-- Prisma generated DROP COLUMN + ADD COLUMN here, which loses every pet's species: edited by
-- hand to map the free text onto the enum and convert the column in place.
UPDATE "Pet" SET "species" = CASE lower("species")
        WHEN 'dog' THEN 'DOG'
        WHEN 'cat' THEN 'CAT'
        WHEN 'parrot' THEN 'BIRD'
        WHEN 'bird' THEN 'BIRD'
        WHEN 'rabbit' THEN 'RABBIT'
        ELSE 'OTHER'
    END;
INSERT INTO canary (migration, step) VALUES ('20230202110000', 'map species');

-- AlterTable
ALTER TABLE "Pet" ALTER COLUMN "species" TYPE "Species" USING ("species"::"Species");
