-- steady:no-transaction
-- The same constraint the safe way: build the index concurrently, then attach it (instant).
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS leads_business_phone_key_idx ON leads (business_id, phone_e164);

ALTER TABLE leads
    ADD CONSTRAINT leads_business_phone_key UNIQUE USING INDEX leads_business_phone_key_idx;
