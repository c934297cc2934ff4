-- +goose Up
-- Plans move from a CHECK list to a table, so that sales can add one without a deploy.
CREATE TABLE plans (
    code text PRIMARY KEY,
    name text NOT NULL,
    monthly_price_cents integer NOT NULL CONSTRAINT plans_monthly_price_cents_check CHECK (monthly_price_cents >= 0),
    max_projects integer
);

INSERT INTO plans (code, name, monthly_price_cents, max_projects) VALUES
    ('free', 'Free', 0, 3),
    ('pro', 'Pro', 4900, NULL),
    ('team', 'Team', 14900, NULL);
INSERT INTO canary (migration, step) VALUES ('20220314103000', 'plans');

ALTER TABLE accounts DROP CONSTRAINT accounts_plan_check;

-- accounts is large and busy: add the key without a scan now, validate it in a later deploy.
ALTER TABLE accounts
    ADD CONSTRAINT accounts_plan_fkey FOREIGN KEY (plan) REFERENCES plans (code) NOT VALID;

-- +goose Down
ALTER TABLE accounts DROP CONSTRAINT accounts_plan_fkey;
ALTER TABLE accounts
    ADD CONSTRAINT accounts_plan_check CHECK (plan IN ('free', 'pro'));
DROP TABLE plans;
