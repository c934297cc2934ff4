-- Failed payments are retried on a schedule; a subscription that runs out of retries is unpaid.
ALTER TYPE subscription_status ADD VALUE 'unpaid' AFTER 'past_due';

CREATE TABLE dunning_attempts (
    id bigserial PRIMARY KEY,
    invoice_id bigint NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    attempt smallint NOT NULL,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    result text NOT NULL CONSTRAINT dunning_attempts_result_check CHECK (result IN ('failed', 'succeeded')),
    CONSTRAINT dunning_attempts_invoice_id_attempt_key UNIQUE (invoice_id, attempt)
);
