-- Statuses are short: a length limit.
ALTER TABLE leads
    ALTER COLUMN status TYPE varchar(40);
