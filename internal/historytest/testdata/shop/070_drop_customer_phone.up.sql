-- Phone numbers moved to the messaging service.
ALTER TABLE customers DROP COLUMN phone;
