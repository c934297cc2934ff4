ALTER TABLE posts DROP COLUMN category_id;
DROP TABLE categories;
