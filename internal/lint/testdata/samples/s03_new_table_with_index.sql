-- A new table and its index in one migration: nothing can be waiting on a table that did not exist.
CREATE TABLE lead_notes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id    bigint NOT NULL,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX lead_notes_lead_idx ON lead_notes (lead_id, created_at);
