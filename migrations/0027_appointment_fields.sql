-- Appointments: status, place, who booked it, and reminder bookkeeping.

CREATE TYPE appointment_status AS ENUM ('scheduled', 'confirmed', 'completed', 'cancelled', 'no_show');

-- steady:allow constraint-missing-not-valid both columns are added by this same statement (NULL, 'manual'), so every existing row passes
ALTER TABLE appointments
    ADD COLUMN status             appointment_status NOT NULL DEFAULT 'scheduled',
    ADD COLUMN location           text,
    ADD COLUMN meeting_url        text,
    ADD COLUMN source             text NOT NULL DEFAULT 'manual',
    ADD COLUMN created_by_user_id bigint,
    ADD COLUMN reminder_sent_at   timestamptz,
    ADD COLUMN cancelled_at       timestamptz,
    ADD CONSTRAINT appointments_created_by_user_fk FOREIGN KEY (created_by_user_id) REFERENCES users (id) ON DELETE SET NULL,
    ADD CONSTRAINT appointments_source_check CHECK (source IN ('manual', 'voice_agent', 'whatsapp', 'web', 'google_sync'));
