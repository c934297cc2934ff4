-- The inbox: a business's open threads, most recent first.
CREATE INDEX threads_business_inbox_idx ON threads (business_id, last_message_at DESC NULLS LAST) WHERE NOT is_archived;

-- A lead's threads (lead_overview's last message); also threads_lead_fk's cascade.
CREATE INDEX threads_lead_idx ON threads (lead_id);
