-- Lead management: one row per lead with what the lead board shows (last call, last
-- message, next reminder, next appointment).

CREATE VIEW lead_overview AS
SELECT
    l.id AS lead_id,
    l.business_id,
    l.full_name,
    l.status,
    l.phone_e164,
    l.phone_whatsapp,
    l.whatsapp_opt_in,
    l.last_call_direction,
    l.last_call_at,
    t.last_message_at,
    r.next_reminder_at,
    a.next_appointment_at,
    l.created_at,
    l.updated_at
FROM leads l
LEFT JOIN LATERAL (
    SELECT max(th.last_message_at) AS last_message_at
    FROM threads th
    WHERE th.lead_id = l.id
) t ON true
LEFT JOIN LATERAL (
    SELECT min(rm.due_at) AS next_reminder_at
    FROM reminders rm
    WHERE rm.lead_id = l.id AND rm.completed_at IS NULL
) r ON true
LEFT JOIN LATERAL (
    SELECT min(ap.starts_at) AS next_appointment_at
    FROM appointments ap
    WHERE ap.lead_id = l.id
      AND ap.starts_at >= now()
      AND ap.status IN ('scheduled', 'confirmed')
) a ON true;

COMMENT ON VIEW lead_overview IS 'Read model for the lead board; filter by business_id.';
