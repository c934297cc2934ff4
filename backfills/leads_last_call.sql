-- backfill: leads_last_call
-- description: leads.last_call_direction and last_call_at from each lead's latest call_log row.
--   Calls written by paths that forget the lead are caught up every night.
-- table: leads
-- key: id
-- schedule: CRON_TZ=Asia/Jerusalem 0 3 * * *
--
-- One batch by hand: psql -v from=0 -v to=1000 -f backfills/leads_last_call.sql

-- Each lead's latest call among the leads of the range: DISTINCT ON over the range (not a
-- correlated subquery per lead) keeps the plan a single pass over the calls.
UPDATE leads AS l
SET last_call_direction = c.direction, last_call_at = c.started_at
FROM (SELECT DISTINCT ON (lead_id) lead_id, direction, started_at
    FROM call_log
    WHERE lead_id > :from AND lead_id <= :to
    ORDER BY lead_id, started_at DESC, id DESC) AS c
WHERE l.id = c.lead_id AND l.id > :from AND l.id <= :to
  AND (l.last_call_direction, l.last_call_at) IS DISTINCT FROM (c.direction, c.started_at);

-- The leads of the range still to change: none once the UPDATE has run.
SELECT l.id
FROM leads AS l
JOIN (SELECT DISTINCT ON (lead_id) lead_id, direction, started_at
    FROM call_log
    WHERE lead_id > :from AND lead_id <= :to
    ORDER BY lead_id, started_at DESC, id DESC) AS c ON c.lead_id = l.id
WHERE l.id > :from AND l.id <= :to
  AND (l.last_call_direction, l.last_call_at) IS DISTINCT FROM (c.direction, c.started_at);
