-- Core: leads, the people a business talks to. status is a free slug for now;
-- its format is checked from 0034 on.

CREATE TABLE leads (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id bigint NOT NULL,
    full_name   text,
    phone_e164  text,
    email       text,
    status      text NOT NULL DEFAULT 'new',
    source      text,
    notes       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT leads_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE
);
