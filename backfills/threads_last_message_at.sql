-- backfill: threads_last_message_at
-- description: threads.last_message_at from the thread's latest message (sent_at, else created_at)
-- table: threads
-- key: id
-- schedule: CRON_TZ=Asia/Jerusalem 15 3 * * *
--
-- One batch by hand: psql -v from=0 -v to=1000 -f backfills/threads_last_message_at.sql

-- Each thread's latest message among the threads of the range, in one pass over the messages.
UPDATE threads AS t
SET last_message_at = m.at
FROM (SELECT thread_id, max(coalesce(sent_at, created_at)) AS at
    FROM messages
    WHERE thread_id > :from AND thread_id <= :to
    GROUP BY thread_id) AS m
WHERE t.id = m.thread_id AND t.id > :from AND t.id <= :to
  AND t.last_message_at IS DISTINCT FROM m.at;

-- The threads of the range still to change: none once the UPDATE has run.
SELECT t.id
FROM threads AS t
JOIN (SELECT thread_id, max(coalesce(sent_at, created_at)) AS at
    FROM messages
    WHERE thread_id > :from AND thread_id <= :to
    GROUP BY thread_id) AS m ON m.thread_id = t.id
WHERE t.id > :from AND t.id <= :to AND t.last_message_at IS DISTINCT FROM m.at;
