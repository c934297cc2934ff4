-- Lead management: missed inbound calls get their own direction.
-- Alone in its migration: a new enum label cannot be used in the transaction that adds it.

ALTER TYPE call_direction ADD VALUE 'missed';
