-- WhatsApp: per-lead WhatsApp identity and consent.
-- whatsapp_jid turned out to be derivable from phone_whatsapp and is dropped in 0035.

ALTER TABLE leads
    ADD COLUMN phone_whatsapp        text,
    ADD COLUMN whatsapp_jid          text,
    ADD COLUMN whatsapp_opt_in       boolean NOT NULL DEFAULT false,
    ADD COLUMN whatsapp_opt_in_at    timestamptz,
    ADD COLUMN whatsapp_last_seen_at timestamptz;
