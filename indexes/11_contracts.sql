-- A lead's contracts; also contracts_lead_fk's SET NULL.
CREATE INDEX contracts_lead_idx ON contracts (lead_id) WHERE lead_id IS NOT NULL;
