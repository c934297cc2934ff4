-- Lead management: follow-up reminders on a lead, assigned to a user.

CREATE TABLE reminders (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id  bigint NOT NULL,
    lead_id      bigint NOT NULL,
    user_id      bigint,
    due_at       timestamptz NOT NULL,
    note         text NOT NULL DEFAULT '',
    notified_at  timestamptz,
    completed_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT reminders_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT reminders_lead_fk FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE,
    CONSTRAINT reminders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL
);
