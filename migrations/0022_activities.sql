-- Lead management: the lead's activity timeline (calls, messages, status changes, notes).

CREATE TABLE activities (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id   bigint NOT NULL,
    lead_id       bigint NOT NULL,
    actor_user_id bigint,
    kind          text NOT NULL,
    payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT activities_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT activities_lead_fk FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE,
    CONSTRAINT activities_actor_user_fk FOREIGN KEY (actor_user_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT activities_kind_check CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
    CONSTRAINT activities_payload_check CHECK (jsonb_typeof(payload) = 'object')
);
