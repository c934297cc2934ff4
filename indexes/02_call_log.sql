-- A lead's call history, newest first; also call_log_lead_fk's ON DELETE SET NULL.
CREATE INDEX call_log_lead_started_at_idx ON call_log (lead_id, started_at DESC);

-- The business's call log page.
CREATE INDEX call_log_business_started_at_idx ON call_log (business_id, started_at DESC);

-- The recording-status callback finds its call by recording SID; a recording belongs to one call.
CREATE UNIQUE INDEX call_log_recording_sid_idx ON call_log (recording_sid) WHERE recording_sid IS NOT NULL;
