-- A thread's messages in order; also messages_thread_fk's cascade.
CREATE INDEX messages_thread_created_at_idx ON messages (thread_id, created_at);

-- Delivery callbacks find a message by its provider id, which a provider never reuses on its
-- channel.
CREATE UNIQUE INDEX messages_channel_provider_message_id_idx ON messages (channel, provider_message_id) WHERE provider_message_id IS NOT NULL;

-- The delivery watchdog: outbound messages with no receipt yet.
CREATE INDEX messages_outbound_undelivered_idx ON messages (created_at) WHERE direction = 'outbound' AND delivered_at IS NULL AND failed_at IS NULL;
