-- WhatsApp: Baileys (WhatsApp Web) session state, one row per business and session key.

CREATE TABLE baileys_sessions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id       bigint NOT NULL,
    session_key       text NOT NULL,
    creds             jsonb NOT NULL DEFAULT '{}'::jsonb,
    status            text NOT NULL DEFAULT 'connecting',
    phone_number      text,
    last_connected_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT baileys_sessions_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT baileys_sessions_status_check CHECK (status IN ('connecting', 'open', 'closed', 'logged_out'))
);

-- The session store upserts on (business_id, session_key): it must be unique.
CREATE UNIQUE INDEX baileys_sessions_business_session_key_idx
    ON baileys_sessions (business_id, session_key);

CREATE TRIGGER baileys_sessions_touch_updated_at
    BEFORE UPDATE ON baileys_sessions
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

COMMENT ON COLUMN baileys_sessions.creds IS 'Baileys auth state (creds and signal keys), written by the WhatsApp gateway only.';
