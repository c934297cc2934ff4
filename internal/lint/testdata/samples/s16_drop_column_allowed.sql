-- notes moved to lead_notes; the application stopped reading the column two releases ago.
-- steady:allow ban-drop-column no code has read or written leads.notes since release 41
ALTER TABLE leads
    DROP COLUMN notes;
