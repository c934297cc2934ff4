ALTER TABLE journal_entries ADD COLUMN reverses_id bigint REFERENCES journal_entries (id);

CREATE UNIQUE INDEX journal_entries_reverses_id_key ON journal_entries (reverses_id) WHERE reverses_id IS NOT NULL;
