-- The notifier: reminders due and neither done nor notified.
CREATE INDEX reminders_due_pending_idx ON reminders (due_at) WHERE completed_at IS NULL AND notified_at IS NULL;

-- The lead_overview view's next open reminder.
CREATE INDEX reminders_lead_open_idx ON reminders (lead_id, due_at) WHERE completed_at IS NULL;
