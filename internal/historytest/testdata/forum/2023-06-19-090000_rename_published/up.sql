ALTER TABLE posts RENAME COLUMN published TO is_published;
