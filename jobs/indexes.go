package jobs

import "github.com/steadydb/steady/internal/indexes"

// Indexes returns the shipped index catalog: shippedIndexes, checked when the program starts.
func Indexes() *indexes.Catalog { return shipped }

var shipped = indexes.MustCatalog(shippedIndexes)

// shippedIndexes are the indexes the CRM product's queries need, beyond the primary keys and
// the unique constraints its migrations declare. Adding an index is adding one entry here: the
// SQL is a plain CREATE INDEX with an unqualified table (the builder adds CONCURRENTLY and the
// schema), and Why names the query it serves.
//
// Entries of one table are built in this order, one at a time; tables are built in parallel,
// in the order they first appear (big tables first, so they start first).
var shippedIndexes = []indexes.Index{
	// leads
	{Name: "leads_business_status_idx", Table: "leads",
		SQL: `CREATE INDEX leads_business_status_idx ON leads (business_id, status)`,
		Why: "the lead board: one tab per status of a business (tabs_config)"},
	{Name: "leads_business_created_at_idx", Table: "leads",
		SQL: `CREATE INDEX leads_business_created_at_idx ON leads (business_id, created_at DESC)`,
		Why: "a business's newest leads first in the lead list"},
	{Name: "leads_business_phone_e164_idx", Table: "leads",
		SQL: `CREATE INDEX leads_business_phone_e164_idx ON leads (business_id, phone_e164) WHERE phone_e164 IS NOT NULL`,
		Why: "match an inbound call or SMS to its lead by caller number"},
	{Name: "leads_business_phone_whatsapp_idx", Table: "leads",
		SQL: `CREATE INDEX leads_business_phone_whatsapp_idx ON leads (business_id, phone_whatsapp) WHERE phone_whatsapp IS NOT NULL`,
		Why: "the WhatsApp gateway finds the lead of an incoming message"},

	// call_log
	{Name: "call_log_lead_started_at_idx", Table: "call_log",
		SQL: `CREATE INDEX call_log_lead_started_at_idx ON call_log (lead_id, started_at DESC)`,
		Why: "a lead's call history, newest first; also call_log_lead_fk's ON DELETE SET NULL"},
	{Name: "call_log_business_started_at_idx", Table: "call_log",
		SQL: `CREATE INDEX call_log_business_started_at_idx ON call_log (business_id, started_at DESC)`,
		Why: "the business's call log page"},
	{Name: "call_log_recording_sid_idx", Table: "call_log",
		SQL: `CREATE UNIQUE INDEX call_log_recording_sid_idx ON call_log (recording_sid) WHERE recording_sid IS NOT NULL`,
		Why: "the recording-status callback finds its call by recording SID; a recording belongs to one call"},

	// messages
	{Name: "messages_thread_created_at_idx", Table: "messages",
		SQL: `CREATE INDEX messages_thread_created_at_idx ON messages (thread_id, created_at)`,
		Why: "a thread's messages in order; also messages_thread_fk's cascade"},
	{Name: "messages_channel_provider_message_id_idx", Table: "messages",
		SQL: `CREATE UNIQUE INDEX messages_channel_provider_message_id_idx ON messages (channel, provider_message_id) WHERE provider_message_id IS NOT NULL`,
		Why: "delivery callbacks find a message by its provider id, which a provider never reuses on its channel"},
	{Name: "messages_outbound_undelivered_idx", Table: "messages",
		SQL: `CREATE INDEX messages_outbound_undelivered_idx ON messages (created_at) WHERE direction = 'outbound' AND delivered_at IS NULL AND failed_at IS NULL`,
		Why: "the delivery watchdog: outbound messages with no receipt yet"},

	// threads
	{Name: "threads_business_inbox_idx", Table: "threads",
		SQL: `CREATE INDEX threads_business_inbox_idx ON threads (business_id, last_message_at DESC NULLS LAST) WHERE NOT is_archived`,
		Why: "the inbox: a business's open threads, most recent first"},
	{Name: "threads_lead_idx", Table: "threads",
		SQL: `CREATE INDEX threads_lead_idx ON threads (lead_id)`,
		Why: "a lead's threads (lead_overview's last message); also threads_lead_fk's cascade"},

	// activities
	{Name: "activities_lead_occurred_at_idx", Table: "activities",
		SQL: `CREATE INDEX activities_lead_occurred_at_idx ON activities (lead_id, occurred_at DESC)`,
		Why: "a lead's activity timeline, newest first"},

	// reminders
	{Name: "reminders_due_pending_idx", Table: "reminders",
		SQL: `CREATE INDEX reminders_due_pending_idx ON reminders (due_at) WHERE completed_at IS NULL AND notified_at IS NULL`,
		Why: "the notifier: reminders due and neither done nor notified"},
	{Name: "reminders_lead_open_idx", Table: "reminders",
		SQL: `CREATE INDEX reminders_lead_open_idx ON reminders (lead_id, due_at) WHERE completed_at IS NULL`,
		Why: "lead_overview's next open reminder"},

	// appointments
	{Name: "appointments_calendar_starts_at_idx", Table: "appointments",
		SQL: `CREATE INDEX appointments_calendar_starts_at_idx ON appointments (calendar_id, starts_at) INCLUDE (ends_at, status)`,
		Why: "a calendar's day and week views and free-slot search, without visiting the table"},
	{Name: "appointments_lead_upcoming_idx", Table: "appointments",
		SQL: `CREATE INDEX appointments_lead_upcoming_idx ON appointments (lead_id, starts_at) WHERE status IN ('scheduled', 'confirmed')`,
		Why: "lead_overview's next appointment"},

	// broadcast_recipients
	{Name: "broadcast_recipients_pending_idx", Table: "broadcast_recipients",
		SQL: `CREATE INDEX broadcast_recipients_pending_idx ON broadcast_recipients (broadcast_job_id, id) WHERE status = 'pending'`,
		Why: "a resumed broadcast sends to its remaining recipients in order"},
	{Name: "broadcast_recipients_message_id_idx", Table: "broadcast_recipients",
		SQL: `CREATE INDEX broadcast_recipients_message_id_idx ON broadcast_recipients (message_id) WHERE message_id IS NOT NULL`,
		Why: "delivery receipts update the recipient of a message; also broadcast_recipients_message_fk's SET NULL"},

	// gmail_receipts
	{Name: "gmail_receipts_business_received_at_idx", Table: "gmail_receipts",
		SQL: `CREATE INDEX gmail_receipts_business_received_at_idx ON gmail_receipts (business_id, received_at DESC)`,
		Why: "the receipts page, newest first"},

	// webhook_deliveries
	{Name: "webhook_deliveries_retry_due_idx", Table: "webhook_deliveries",
		SQL: `CREATE INDEX webhook_deliveries_retry_due_idx ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND next_attempt_at IS NOT NULL`,
		Why: "the webhook retrier: undelivered attempts by due time"},
	{Name: "webhook_deliveries_business_created_at_idx", Table: "webhook_deliveries",
		SQL: `CREATE INDEX webhook_deliveries_business_created_at_idx ON webhook_deliveries (business_id, created_at DESC)`,
		Why: "the settings page's delivery log"},

	// contracts
	{Name: "contracts_lead_idx", Table: "contracts",
		SQL: `CREATE INDEX contracts_lead_idx ON contracts (lead_id) WHERE lead_id IS NOT NULL`,
		Why: "a lead's contracts; also contracts_lead_fk's SET NULL"},

	// push_subscriptions
	{Name: "push_subscriptions_user_idx", Table: "push_subscriptions",
		SQL: `CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id)`,
		Why: "push to every device of a user; also the cascade from users"},
}
