-- Recordings: how each call was recorded and where the recording lives.

CREATE TYPE call_recording_mode AS ENUM ('off', 'record', 'record_and_transcribe');

-- steady:allow constraint-missing-not-valid recording_duration_s is added NULL by this same statement, so the scan finds no row to reject
ALTER TABLE call_log
    ADD COLUMN recording_mode       call_recording_mode NOT NULL DEFAULT 'off',
    ADD COLUMN recording_url        text,
    ADD COLUMN recording_sid        text,
    ADD COLUMN recording_duration_s integer,
    ADD COLUMN transcript           text,
    ADD CONSTRAINT call_log_recording_duration_check CHECK (recording_duration_s IS NULL OR recording_duration_s >= 0);
