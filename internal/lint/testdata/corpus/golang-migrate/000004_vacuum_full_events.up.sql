-- Reclaim the space of the purged events.
-- danger: VACUUM FULL rewrites events under ACCESS EXCLUSIVE
-- expect: warning ban-vacuum-full
VACUUM FULL events;
