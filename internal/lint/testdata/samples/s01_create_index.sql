-- The lead list filters by status: an index, built the plain way.
CREATE INDEX leads_business_status_idx ON leads (business_id, status);
