-- migrate:up
-- danger: ADD PRIMARY KEY builds its index (and checks NOT NULL) under ACCESS EXCLUSIVE
-- expect: warning adding-serial-primary-key-field
ALTER TABLE line_items ADD PRIMARY KEY (id);

-- migrate:down
ALTER TABLE line_items DROP CONSTRAINT line_items_pkey;
