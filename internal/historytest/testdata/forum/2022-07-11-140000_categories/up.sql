CREATE TABLE categories (
    id SERIAL PRIMARY KEY,
    name VARCHAR(60) NOT NULL UNIQUE,
    position INTEGER NOT NULL DEFAULT 0
);

INSERT INTO categories (name, position) VALUES ('General', 0), ('Rust', 1), ('Go', 2);
INSERT INTO canary (migration, step) VALUES ('20220711140000', 'categories');

ALTER TABLE posts ADD COLUMN category_id INTEGER REFERENCES categories (id);
