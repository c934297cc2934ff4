-- A lead source table and its first rows.
ALTER TABLE leads
    ADD COLUMN source_id bigint;

INSERT INTO lead_sources (name) VALUES ('web'), ('phone'), ('whatsapp');
