-- Core: one row per phone call handled by the telephony provider.

CREATE TYPE call_direction AS ENUM ('inbound', 'outbound');

CREATE TABLE call_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id bigint NOT NULL,
    lead_id     bigint,
    call_sid    text NOT NULL,
    direction   call_direction NOT NULL,
    from_number text NOT NULL,
    to_number   text NOT NULL,
    status      text NOT NULL DEFAULT 'initiated',
    started_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    duration_s  integer,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT call_log_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT call_log_lead_fk FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE SET NULL,
    CONSTRAINT call_log_call_sid_key UNIQUE (call_sid),
    CONSTRAINT call_log_duration_check CHECK (duration_s IS NULL OR duration_s >= 0),
    CONSTRAINT call_log_ended_after_started_check CHECK (ended_at IS NULL OR ended_at >= started_at)
);
