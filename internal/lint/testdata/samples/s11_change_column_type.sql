-- Emails have a length limit (RFC 5321: 320 characters).
ALTER TABLE leads
    ALTER COLUMN email TYPE varchar(320);
