-- Core: the business (tenant) every other row belongs to.

CREATE TABLE business (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text NOT NULL,
    slug       text NOT NULL,
    phone      text,
    timezone   text NOT NULL DEFAULT 'Asia/Jerusalem',
    is_active  boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT business_slug_key UNIQUE (slug),
    CONSTRAINT business_slug_check CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$')
);

COMMENT ON TABLE business IS 'One row per tenant; every product table is scoped by business_id.';
