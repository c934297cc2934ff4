-- danger: VACUUM FULL of every table in turn
-- expect: warning ban-vacuum-full
VACUUM FULL;
