-- migrate:up
CREATE SCHEMA IF NOT EXISTS billing;
CREATE TABLE billing.tax_rates (
    country text NOT NULL,
    rate numeric(5, 4) NOT NULL,
    valid_from date NOT NULL,
    PRIMARY KEY (country, valid_from)
);

-- migrate:down
DROP SCHEMA billing CASCADE;
