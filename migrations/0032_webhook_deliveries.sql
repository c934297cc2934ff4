-- Webhooks: a log of every delivery attempt, for retries and the settings page.

CREATE TABLE webhook_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id     bigint NOT NULL,
    event           text NOT NULL,
    payload         jsonb NOT NULL,
    attempt         integer NOT NULL DEFAULT 1,
    response_status integer,
    error           text,
    delivered_at    timestamptz,
    next_attempt_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_deliveries_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_attempt_check CHECK (attempt >= 1),
    CONSTRAINT webhook_deliveries_response_status_check CHECK (response_status IS NULL OR response_status BETWEEN 100 AND 599)
);
