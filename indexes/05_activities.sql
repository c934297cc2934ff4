-- A lead's activity timeline, newest first.
CREATE INDEX activities_lead_occurred_at_idx ON activities (lead_id, occurred_at DESC);
