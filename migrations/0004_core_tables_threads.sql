-- Core: conversation threads between a business and a lead.

CREATE TABLE threads (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id     bigint NOT NULL,
    lead_id         bigint NOT NULL,
    subject         text,
    is_archived     boolean NOT NULL DEFAULT false,
    last_message_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT threads_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT threads_lead_fk FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE
);
