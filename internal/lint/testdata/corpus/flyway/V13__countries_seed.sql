CREATE TABLE countries (
    code text PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO countries (code, name) VALUES ('FR', 'France'), ('DE', 'Germany'), ('IL', 'Israel');
