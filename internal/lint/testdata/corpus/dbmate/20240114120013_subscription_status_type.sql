-- migrate:up
CREATE TYPE subscription_status AS ENUM ('trialing', 'active', 'past_due', 'canceled');
CREATE TABLE subscription_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id bigint NOT NULL,
    status subscription_status NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE subscription_events;
DROP TYPE subscription_status;
