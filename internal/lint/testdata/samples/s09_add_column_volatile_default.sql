-- A public token per lead, generated for every row.
ALTER TABLE leads
    ADD COLUMN public_token uuid NOT NULL DEFAULT gen_random_uuid();
