package jobs

import "github.com/steadydb/steady/internal/backfills"

// Backfills is the catalog: the CRM product's backfills. Adding one is adding an entry here.
var Backfills = backfills.Catalog{
	{
		Name:        "leads_last_call",
		Description: "leads.last_call_direction and last_call_at from each lead's latest call_log row",
		Table:       "leads",
		Key:         "id",
		Update: `UPDATE leads AS l
SET last_call_direction = c.direction, last_call_at = c.started_at
FROM (` + latestCallPerLead + `) AS c
WHERE l.id = c.lead_id AND l.id > $1 AND l.id <= $2
  AND (l.last_call_direction, l.last_call_at) IS DISTINCT FROM (c.direction, c.started_at)`,
		Pending: `SELECT l.id
FROM leads AS l
JOIN (` + latestCallPerLead + `) AS c ON c.lead_id = l.id
WHERE l.id > $1 AND l.id <= $2
  AND (l.last_call_direction, l.last_call_at) IS DISTINCT FROM (c.direction, c.started_at)`,
		// Calls written by paths that forget the lead are caught up every night.
		Schedule: "CRON_TZ=Asia/Jerusalem 0 3 * * *",
	},
	{
		Name:        "leads_phone_whatsapp",
		Description: "leads.phone_whatsapp normalised to E.164 (Israeli national numbers, 00 prefixes, WhatsApp JIDs, punctuation)",
		Table:       "leads",
		Key:         "id",
		Update: `UPDATE leads SET phone_whatsapp = ` + normalisedWhatsApp + `
WHERE id > $1 AND id <= $2 AND phone_whatsapp IS DISTINCT FROM ` + normalisedWhatsApp,
		Pending: `SELECT id FROM leads
WHERE id > $1 AND id <= $2 AND phone_whatsapp IS DISTINCT FROM ` + normalisedWhatsApp,
		Schedule: "CRON_TZ=Asia/Jerusalem 45 3 * * *",
	},
	{
		Name:        "threads_last_message_at",
		Description: "threads.last_message_at from the thread's latest message (sent_at, else created_at)",
		Table:       "threads",
		Key:         "id",
		Update: `UPDATE threads AS t
SET last_message_at = m.at
FROM (` + latestMessagePerThread + `) AS m
WHERE t.id = m.thread_id AND t.id > $1 AND t.id <= $2
  AND t.last_message_at IS DISTINCT FROM m.at`,
		Pending: `SELECT t.id
FROM threads AS t
JOIN (` + latestMessagePerThread + `) AS m ON m.thread_id = t.id
WHERE t.id > $1 AND t.id <= $2 AND t.last_message_at IS DISTINCT FROM m.at`,
		Schedule: "CRON_TZ=Asia/Jerusalem 15 3 * * *",
	},
	{
		Name:        "messages_delivered_at",
		Description: "messages.delivered_at from broadcast deliveries (broadcast_recipients.delivered_at)",
		Table:       "messages",
		// Walking the recipients joins each to its message by primary key: no index on
		// broadcast_recipients.message_id is needed.
		KeyTable: "broadcast_recipients",
		Key:      "id",
		Update: `UPDATE messages AS m
SET delivered_at = r.delivered_at
FROM broadcast_recipients AS r
WHERE r.id > $1 AND r.id <= $2 AND m.id = r.message_id
  AND r.delivered_at IS NOT NULL AND m.delivered_at IS NULL`,
		Pending: `SELECT r.id
FROM broadcast_recipients AS r
JOIN messages AS m ON m.id = r.message_id
WHERE r.id > $1 AND r.id <= $2 AND r.delivered_at IS NOT NULL AND m.delivered_at IS NULL`,
		Schedule: "CRON_TZ=Asia/Jerusalem 30 3 * * *",
	},
	{
		Name:        "broadcast_recipients_delivered",
		Description: "broadcast_recipients.status 'delivered' where a delivery receipt arrived after the row was marked 'sent'",
		Table:       "broadcast_recipients",
		Key:         "id",
		Update: `UPDATE broadcast_recipients SET status = 'delivered'
WHERE id > $1 AND id <= $2 AND status = 'sent' AND delivered_at IS NOT NULL`,
		Pending: `SELECT id FROM broadcast_recipients
WHERE id > $1 AND id <= $2 AND status = 'sent' AND delivered_at IS NOT NULL`,
	},
	{
		Name: "business_webhook_secret",
		Description: "business.webhook_secret for rows without one (empty): 32 random bytes, hex. " +
			"Existing secrets are never replaced: customers verify signatures with them",
		Table: "business",
		Key:   "id",
		Update: `UPDATE business SET webhook_secret = encode(gen_random_bytes(32), 'hex')
WHERE id > $1 AND id <= $2 AND btrim(webhook_secret) = ''`,
		Pending: `SELECT id FROM business WHERE id > $1 AND id <= $2 AND btrim(webhook_secret) = ''`,
	},
}

// latestCallPerLead is each lead's latest call among leads in ($1, $2]. DISTINCT ON over the
// range (not a correlated subquery per lead) keeps the plan a single pass over the calls.
const latestCallPerLead = `SELECT DISTINCT ON (lead_id) lead_id, direction, started_at
    FROM call_log
    WHERE lead_id > $1 AND lead_id <= $2
    ORDER BY lead_id, started_at DESC, id DESC`

const latestMessagePerThread = `SELECT thread_id, max(coalesce(sent_at, created_at)) AS at
    FROM messages
    WHERE thread_id > $1 AND thread_id <= $2
    GROUP BY thread_id`

// normalisedWhatsApp is phone_whatsapp in E.164: digits of a JID ("972501234567@s.whatsapp.net"),
// "00" international prefixes, Israeli national numbers ("050-123-4567") and punctuation are
// rewritten; blank becomes NULL; anything else that cannot be read as a number stays as it is
// (so it never counts as work again).
const normalisedWhatsApp = `(SELECT CASE
        WHEN btrim(phone_whatsapp) = '' THEN NULL
        WHEN d ~ '^\+[1-9][0-9]{6,14}$' THEN d
        WHEN d ~ '^00[1-9][0-9]{6,14}$' THEN '+' || substr(d, 3)
        WHEN d ~ '^0[1-9][0-9]{7,8}$' THEN '+972' || substr(d, 2)
        WHEN d ~ '^[1-9][0-9]{9,14}$' THEN '+' || d
        ELSE phone_whatsapp END
    FROM (SELECT regexp_replace(regexp_replace(phone_whatsapp, '@.*$', ''), '[^0-9+]', '', 'g') AS d) AS n)`
