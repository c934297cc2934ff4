-- WhatsApp: messages and threads carry the channel they travel on, and the
-- provider's id so delivery callbacks can find them.

CREATE TYPE message_channel AS ENUM ('sms', 'whatsapp', 'email');

ALTER TABLE messages
    ADD COLUMN channel             message_channel NOT NULL DEFAULT 'sms',
    ADD COLUMN provider_message_id text,
    ADD COLUMN media_url           text,
    ADD COLUMN media_mime_type     text;

ALTER TABLE threads
    ADD COLUMN channel message_channel NOT NULL DEFAULT 'sms';
