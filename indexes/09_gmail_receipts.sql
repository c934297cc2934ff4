-- The receipts page, newest first.
CREATE INDEX gmail_receipts_business_received_at_idx ON gmail_receipts (business_id, received_at DESC);
