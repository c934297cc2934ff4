-- A resumed broadcast sends to its remaining recipients in order.
CREATE INDEX broadcast_recipients_pending_idx ON broadcast_recipients (broadcast_job_id, id) WHERE status = 'pending';

-- Delivery receipts update the recipient of a message; also broadcast_recipients_message_fk's SET
-- NULL.
CREATE INDEX broadcast_recipients_message_id_idx ON broadcast_recipients (message_id) WHERE message_id IS NOT NULL;
