ALTER TABLE journal_entries ADD COLUMN void_reason text;

ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_void_reason_check
    CHECK (status <> 'void' OR void_reason IS NOT NULL) NOT VALID;
