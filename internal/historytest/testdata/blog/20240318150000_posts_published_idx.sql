-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY posts_published_at_idx ON posts (published_at DESC) WHERE status = 'published';

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY IF EXISTS posts_published_at_idx;
