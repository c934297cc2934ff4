-- Audit of data changes made by migrations: every data statement below leaves one row here.
CREATE TABLE canary (
    id bigserial PRIMARY KEY,
    migration text NOT NULL,
    step text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id bigserial PRIMARY KEY,
    external_ref text NOT NULL CONSTRAINT customers_external_ref_key UNIQUE,
    name text NOT NULL,
    email text,
    country char(2) NOT NULL,
    tax_id varchar(20),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Prices in cents of the plan's currency.
CREATE TABLE plans (
    id serial PRIMARY KEY,
    code text NOT NULL CONSTRAINT plans_code_key UNIQUE,
    name text NOT NULL,
    amount_cents integer NOT NULL CONSTRAINT plans_amount_cents_check CHECK (amount_cents >= 0),
    currency char(3) NOT NULL,
    interval text NOT NULL CONSTRAINT plans_interval_check CHECK (interval IN ('month', 'year')),
    trial_days smallint NOT NULL DEFAULT 0,
    active boolean NOT NULL DEFAULT true
);
