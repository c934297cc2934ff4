-- migrate:up
-- Full-text search on titles replaces the lower(title) lookups, under the same index name.
DROP INDEX posts_title_idx;
CREATE INDEX posts_title_idx ON posts USING gin (to_tsvector('english', title));

-- migrate:down
DROP INDEX posts_title_idx;
CREATE INDEX posts_title_idx ON posts (lower(title));
