-- NOT VALID, then VALIDATE in the same migration: the scan still runs under the ADD's lock.
ALTER TABLE leads
    ADD CONSTRAINT leads_email_check CHECK (email IS NULL OR email LIKE '%@%') NOT VALID;

ALTER TABLE leads
    VALIDATE CONSTRAINT leads_email_check;
