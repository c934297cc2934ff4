CREATE TABLE currencies (
    code char(3) PRIMARY KEY,
    name text NOT NULL,
    minor_units smallint NOT NULL DEFAULT 2
);

INSERT INTO currencies (code, name, minor_units) VALUES
    ('EUR', 'Euro', 2), ('USD', 'US dollar', 2), ('GBP', 'Pound sterling', 2), ('JPY', 'Yen', 0);
INSERT INTO canary (migration, step) VALUES ('20230703110000', 'currencies');

-- Validated in the next migration, without blocking writes to accounts.
ALTER TABLE accounts ADD CONSTRAINT accounts_currency_fkey
    FOREIGN KEY (currency) REFERENCES currencies (code) NOT VALID;
