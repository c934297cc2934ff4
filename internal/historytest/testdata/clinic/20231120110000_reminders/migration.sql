-- CreateEnum
CREATE TYPE "ReminderKind" AS ENUM ('VACCINATION', 'CHECKUP', 'MEDICATION');

-- CreateTable
CREATE TABLE "Reminder" (
    "id" SERIAL NOT NULL,
    "petId" INTEGER NOT NULL,
    "kind" "ReminderKind" NOT NULL,
    "dueOn" DATE NOT NULL,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "Reminder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Reminder_dueOn_idx" ON "Reminder"("dueOn") WHERE "sentAt" IS NULL;

-- AddForeignKey
ALTER TABLE "Reminder" ADD CONSTRAINT "Reminder_petId_fkey" FOREIGN KEY ("petId") REFERENCES "Pet"("id") ON DELETE CASCADE ON UPDATE CASCADE;
