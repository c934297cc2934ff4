-- danger: DELETE of the whole table in one transaction
-- expect: warning unbatched-backfill
DELETE FROM notifications;
