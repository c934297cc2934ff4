-- Push: users opt in or out of push notifications; each browser or device subscribes separately.

ALTER TABLE users
    ADD COLUMN push_enabled boolean NOT NULL DEFAULT true;

CREATE TABLE push_subscriptions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL,
    endpoint     text NOT NULL,
    p256dh       text NOT NULL,
    auth         text NOT NULL,
    user_agent   text,
    last_used_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT push_subscriptions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT push_subscriptions_endpoint_key UNIQUE (endpoint)
);
