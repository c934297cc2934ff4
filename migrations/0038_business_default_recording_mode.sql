-- Recordings: a business-wide default recording mode for new calls (call_log.recording_mode
-- keeps what each call actually used).

ALTER TABLE business
    ADD COLUMN default_recording_mode call_recording_mode NOT NULL DEFAULT 'off';
