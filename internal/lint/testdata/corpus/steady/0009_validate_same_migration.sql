ALTER TABLE bookings ADD CONSTRAINT bookings_dates_check CHECK (ends_at > starts_at) NOT VALID;
-- danger: validated in the transaction that added it: the scan runs under the ADD's ACCESS EXCLUSIVE
-- expect: warning constraint-missing-not-valid
ALTER TABLE bookings VALIDATE CONSTRAINT bookings_dates_check;
