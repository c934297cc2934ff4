-- Audit of every data statement in this history: one row per statement, so that a statement
-- run twice shows up as a count of 2.
CREATE TABLE canary (
    id bigserial PRIMARY KEY,
    migration text NOT NULL,
    step text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    name text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_email_key UNIQUE (email)
);

CREATE TABLE products (
    id serial PRIMARY KEY,
    sku text NOT NULL,
    title text NOT NULL,
    price_cents integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT products_sku_key UNIQUE (sku),
    CONSTRAINT products_price_cents_check CHECK (price_cents >= 0)
);
