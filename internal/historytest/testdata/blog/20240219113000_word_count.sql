-- migrate:up
ALTER TABLE posts ADD COLUMN word_count integer;

UPDATE posts SET word_count = array_length(regexp_split_to_array(trim(body), '\s+'), 1);
INSERT INTO canary (migration, step) VALUES ('20240219113000', 'count words');

-- migrate:down
ALTER TABLE posts DROP COLUMN word_count;
