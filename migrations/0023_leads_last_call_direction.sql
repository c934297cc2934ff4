-- Lead management: the lead list shows the latest call without a join on call_log.
-- Existing leads are filled from call_log by a batched backfill, not here.

ALTER TABLE leads
    ADD COLUMN last_call_direction call_direction,
    ADD COLUMN last_call_at        timestamptz;
