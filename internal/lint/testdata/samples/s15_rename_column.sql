-- "source" is a channel now.
ALTER TABLE leads
    RENAME COLUMN source TO channel;
