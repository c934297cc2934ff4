-- Core: business phone numbers are stored in E.164 like leads'; the name now says so.

ALTER TABLE business
    RENAME COLUMN phone TO phone_e164;
