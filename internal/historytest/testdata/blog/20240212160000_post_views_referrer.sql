-- migrate:up
ALTER TABLE post_views ADD COLUMN referrer text;

-- migrate:down
ALTER TABLE post_views DROP COLUMN referrer;
