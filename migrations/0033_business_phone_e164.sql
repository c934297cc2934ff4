-- Core: business phone numbers are stored in E.164 like leads'; the name now says so.

-- steady:allow renaming-column released together with the code that reads phone_e164
ALTER TABLE business
    RENAME COLUMN phone TO phone_e164;
