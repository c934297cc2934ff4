CREATE TABLE warehouses (
    id serial PRIMARY KEY,
    code text NOT NULL,
    city text NOT NULL,
    CONSTRAINT warehouses_code_key UNIQUE (code)
);

INSERT INTO warehouses (code, city) VALUES ('TLV', 'Tel Aviv'), ('HFA', 'Haifa');
INSERT INTO canary (migration, step) VALUES ('43', 'first warehouses');
