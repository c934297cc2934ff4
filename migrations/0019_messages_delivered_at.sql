-- Broadcasts: delivery receipts on every outbound message (WhatsApp and SMS callbacks).

ALTER TABLE messages
    ADD COLUMN delivered_at timestamptz,
    ADD COLUMN read_at      timestamptz,
    ADD COLUMN failed_at    timestamptz,
    ADD COLUMN error_code   text;
