-- Email/Gmail: per-business Gmail connection and incremental sync position
-- (Gmail history ids are unsigned 64-bit, hence numeric(20,0)).

ALTER TABLE business
    ADD COLUMN gmail_sync_enabled      boolean NOT NULL DEFAULT false,
    ADD COLUMN gmail_address           citext,
    ADD COLUMN gmail_refresh_token_enc bytea,
    ADD COLUMN gmail_history_id        numeric(20, 0),
    ADD COLUMN gmail_last_sync_at      timestamptz,
    ADD COLUMN gmail_sync_error        text;
