-- Lead management: the lead board's tabs (status columns, order, colours) per business,
-- optionally overridden per user (user_id NULL is the business default).

CREATE TABLE tabs_config (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id bigint NOT NULL,
    user_id     bigint,
    tabs        jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tabs_config_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT tabs_config_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT tabs_config_business_user_key UNIQUE NULLS NOT DISTINCT (business_id, user_id),
    CONSTRAINT tabs_config_tabs_check CHECK (jsonb_typeof(tabs) = 'array')
);

CREATE TRIGGER tabs_config_touch_updated_at
    BEFORE UPDATE ON tabs_config
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
