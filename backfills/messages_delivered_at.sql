-- backfill: messages_delivered_at
-- description: messages.delivered_at from broadcast deliveries (broadcast_recipients.delivered_at)
-- table: messages
-- key-table: broadcast_recipients
-- key: id
-- schedule: CRON_TZ=Asia/Jerusalem 30 3 * * *
--
-- One batch by hand: psql -v from=0 -v to=1000 -f backfills/messages_delivered_at.sql

-- Walking the recipients joins each to its message by primary key: no index on
-- broadcast_recipients.message_id is needed.
UPDATE messages AS m
SET delivered_at = r.delivered_at
FROM broadcast_recipients AS r
WHERE r.id > :from AND r.id <= :to AND m.id = r.message_id
  AND r.delivered_at IS NOT NULL AND m.delivered_at IS NULL;

-- The recipients of the range whose message still lacks its delivery time.
SELECT r.id
FROM broadcast_recipients AS r
JOIN messages AS m ON m.id = r.message_id
WHERE r.id > :from AND r.id <= :to AND r.delivered_at IS NOT NULL AND m.delivered_at IS NULL;
