CREATE TYPE entry_status AS ENUM ('draft', 'posted', 'void');

ALTER TABLE journal_entries ADD COLUMN status entry_status NOT NULL DEFAULT 'posted';
