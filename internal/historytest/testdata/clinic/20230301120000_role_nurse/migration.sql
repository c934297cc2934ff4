-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'NURSE';
