-- WhatsApp: leads.whatsapp_jid (0008) is obsolete; the gateway derives the JID from
-- phone_whatsapp and nothing reads the column any more.

-- steady:allow ban-drop-column nothing reads or writes whatsapp_jid: the gateway derives the JID from phone_whatsapp
ALTER TABLE leads
    DROP COLUMN whatsapp_jid;
