-- Every lead has a name now.
ALTER TABLE leads
    ALTER COLUMN full_name SET NOT NULL;
