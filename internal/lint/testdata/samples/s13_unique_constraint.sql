-- One lead per phone number and business.
ALTER TABLE leads
    ADD CONSTRAINT leads_business_phone_key UNIQUE (business_id, phone_e164);
