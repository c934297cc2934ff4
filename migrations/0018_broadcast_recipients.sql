-- Broadcasts: one row per recipient of a broadcast, with its own delivery state,
-- so a paused or crashed broadcast resumes where it stopped.

CREATE TABLE broadcast_recipients (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    broadcast_job_id bigint NOT NULL,
    lead_id          bigint NOT NULL,
    message_id       bigint,
    status           text NOT NULL DEFAULT 'pending',
    error            text,
    sent_at          timestamptz,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT broadcast_recipients_job_fk FOREIGN KEY (broadcast_job_id) REFERENCES broadcast_jobs (id) ON DELETE CASCADE,
    CONSTRAINT broadcast_recipients_lead_fk FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE,
    CONSTRAINT broadcast_recipients_message_fk FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE SET NULL,
    CONSTRAINT broadcast_recipients_job_lead_key UNIQUE (broadcast_job_id, lead_id),
    CONSTRAINT broadcast_recipients_status_check CHECK (status IN ('pending', 'sent', 'delivered', 'failed', 'skipped'))
);

COMMENT ON TABLE broadcast_recipients IS 'Recipients are frozen when a broadcast starts; later audience changes do not affect it.';
