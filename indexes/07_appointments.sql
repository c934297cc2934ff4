-- A calendar's day and week views and free-slot search, without visiting the table.
CREATE INDEX appointments_calendar_starts_at_idx ON appointments (calendar_id, starts_at) INCLUDE (ends_at, status);

-- The lead_overview view's next appointment.
CREATE INDEX appointments_lead_upcoming_idx ON appointments (lead_id, starts_at) WHERE status IN ('scheduled', 'confirmed');
