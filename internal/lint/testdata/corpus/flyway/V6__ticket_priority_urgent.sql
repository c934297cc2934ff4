ALTER TYPE ticket_priority ADD VALUE IF NOT EXISTS 'urgent' AFTER 'high';
-- danger: the default uses the value in the same transaction (55P04)
-- expect: error new-enum-value-used-in-transaction
ALTER TABLE tickets ALTER COLUMN priority SET DEFAULT 'urgent';
