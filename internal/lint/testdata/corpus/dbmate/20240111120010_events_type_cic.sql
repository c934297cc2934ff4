-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_type_idx ON events (event_type);

-- migrate:down
DROP INDEX CONCURRENTLY IF EXISTS events_type_idx;
