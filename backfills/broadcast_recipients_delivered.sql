-- backfill: broadcast_recipients_delivered
-- description: broadcast_recipients.status 'delivered' where a delivery receipt arrived after the
--   row was marked 'sent'
-- table: broadcast_recipients
-- key: id
--
-- One batch by hand: psql -v from=0 -v to=1000 -f backfills/broadcast_recipients_delivered.sql

UPDATE broadcast_recipients SET status = 'delivered'
WHERE id > :from AND id <= :to AND status = 'sent' AND delivered_at IS NOT NULL;

-- The recipients of the range still marked 'sent' although delivered.
SELECT id FROM broadcast_recipients
WHERE id > :from AND id <= :to AND status = 'sent' AND delivered_at IS NOT NULL;
