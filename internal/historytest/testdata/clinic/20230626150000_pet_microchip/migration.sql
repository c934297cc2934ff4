-- AlterTable
ALTER TABLE "Pet" ADD COLUMN     "microchip" VARCHAR(15);

-- CreateIndex
CREATE UNIQUE INDEX "Pet_microchip_key" ON "Pet"("microchip");
