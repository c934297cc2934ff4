-- A lead's plan: required, but no default for the rows already there.
ALTER TABLE leads
    ADD COLUMN plan text NOT NULL;
