CREATE TABLE counterparties (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    vat_id text
);

ALTER TABLE postings ADD COLUMN counterparty_id bigint;

ALTER TABLE postings ADD CONSTRAINT postings_counterparty_id_fkey
    FOREIGN KEY (counterparty_id) REFERENCES counterparties (id) NOT VALID;
