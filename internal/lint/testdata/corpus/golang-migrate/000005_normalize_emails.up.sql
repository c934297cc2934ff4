-- danger: UPDATE of every user in one transaction: every row locked until commit, bloat, long WAL
-- expect: warning unbatched-backfill
UPDATE users SET email = lower(email);
