-- An index nothing uses any more.
DROP INDEX IF EXISTS leads_business_status_idx;
