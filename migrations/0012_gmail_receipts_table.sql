-- Email/Gmail: receipts and invoices extracted from the business's Gmail inbox.

CREATE TABLE gmail_receipts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id      bigint NOT NULL,
    gmail_message_id text NOT NULL,
    gmail_thread_id  text,
    from_address     text,
    subject          text,
    vendor           text,
    amount_cents     bigint,
    currency         char(3),
    received_at      timestamptz NOT NULL,
    attachment_url   text,
    raw_headers      jsonb NOT NULL DEFAULT '{}'::jsonb,
    status           text NOT NULL DEFAULT 'pending',
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT gmail_receipts_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT gmail_receipts_business_message_key UNIQUE (business_id, gmail_message_id),
    CONSTRAINT gmail_receipts_status_check CHECK (status IN ('pending', 'parsed', 'failed', 'ignored')),
    CONSTRAINT gmail_receipts_amount_check CHECK (amount_cents IS NULL OR amount_cents >= 0)
);

COMMENT ON TABLE gmail_receipts IS 'One row per Gmail message recognised as a receipt; re-syncs upsert on (business_id, gmail_message_id).';
