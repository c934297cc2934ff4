-- Lead management: validate the checks added NOT VALID in 0034 (SHARE UPDATE EXCLUSIVE
-- lock only: reads and writes go on during the scan).

ALTER TABLE leads
    VALIDATE CONSTRAINT leads_status_check;

ALTER TABLE leads
    VALIDATE CONSTRAINT leads_phone_e164_check;
