-- Appointments: calendars a business books appointments into.

CREATE TABLE calendars (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id        bigint NOT NULL,
    name               text NOT NULL,
    timezone           text NOT NULL DEFAULT 'Asia/Jerusalem',
    color              text,
    google_calendar_id text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendars_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT calendars_color_check CHECK (color IS NULL OR color ~ '^#[0-9a-fA-F]{6}$')
);

CREATE TRIGGER calendars_touch_updated_at
    BEFORE UPDATE ON calendars
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
