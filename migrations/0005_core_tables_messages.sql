-- Core: messages inside a thread. business_id is denormalised for tenant scoping.

CREATE TYPE message_direction AS ENUM ('inbound', 'outbound');

CREATE TABLE messages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id bigint NOT NULL,
    thread_id   bigint NOT NULL,
    direction   message_direction NOT NULL,
    body        text NOT NULL DEFAULT '',
    sent_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT messages_thread_fk FOREIGN KEY (thread_id) REFERENCES threads (id) ON DELETE CASCADE
);
