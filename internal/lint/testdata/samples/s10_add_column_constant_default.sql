-- A constant default: PostgreSQL 11+ stores it once in the catalog, no rewrite.
ALTER TABLE leads
    ADD COLUMN priority smallint NOT NULL DEFAULT 0,
    ADD COLUMN seen_at  timestamptz DEFAULT now();
