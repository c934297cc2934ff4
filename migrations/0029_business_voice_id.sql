-- Voice: the AI phone agent's voice and language per business.

ALTER TABLE business
    ADD COLUMN voice_id            text,
    ADD COLUMN voice_language      text NOT NULL DEFAULT 'he-IL',
    ADD COLUMN voice_greeting      text,
    ADD COLUMN voice_agent_enabled boolean NOT NULL DEFAULT false;
