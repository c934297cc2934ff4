-- The lead board: one tab per status of a business (tabs_config).
CREATE INDEX leads_business_status_idx ON leads (business_id, status);

-- A business's newest leads first in the lead list.
CREATE INDEX leads_business_created_at_idx ON leads (business_id, created_at DESC);

-- Match an inbound call or SMS to its lead by caller number.
CREATE INDEX leads_business_phone_e164_idx ON leads (business_id, phone_e164) WHERE phone_e164 IS NOT NULL;

-- The WhatsApp gateway finds the lead of an incoming message.
CREATE INDEX leads_business_phone_whatsapp_idx ON leads (business_id, phone_whatsapp) WHERE phone_whatsapp IS NOT NULL;
