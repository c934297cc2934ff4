-- Contracts: the built-in templates every business starts with (business_id NULL), with a
-- stable builtin_key so later releases can find and update them. Re-running inserts nothing.

-- steady:allow disallowed-unique-constraint contract_templates holds a few templates per business: the index builds in milliseconds
-- steady:allow constraint-missing-not-valid builtin_key is added NULL by this same statement, so every existing row passes
ALTER TABLE contract_templates
    ADD COLUMN builtin_key text,
    ADD CONSTRAINT contract_templates_builtin_key_key UNIQUE (builtin_key),
    ADD CONSTRAINT contract_templates_builtin_global_check CHECK (builtin_key IS NULL OR business_id IS NULL);

-- The seed commits with the constraint above, so that constraint says whether it ran.
-- steady:fingerprint constraint contract_templates.contract_templates_builtin_key_key
INSERT INTO contract_templates (business_id, builtin_key, name, body, variables)
VALUES
    (NULL, 'service_agreement', 'Service agreement',
     E'Service agreement between {{business_name}} and {{lead_name}}.\n\nScope: {{scope}}\nPrice: {{price}}\nDate: {{date}}\n\nSignature: ____________',
     '["business_name", "lead_name", "scope", "price", "date"]'::jsonb),
    (NULL, 'price_quote', 'Price quote',
     E'Quote from {{business_name}} for {{lead_name}}.\n\n{{items}}\n\nTotal: {{total}}\nValid until: {{valid_until}}',
     '["business_name", "lead_name", "items", "total", "valid_until"]'::jsonb),
    (NULL, 'nda', 'Non-disclosure agreement',
     E'{{lead_name}} agrees to keep confidential all information shared by {{business_name}} from {{date}}.\n\nSignature: ____________',
     '["business_name", "lead_name", "date"]'::jsonb)
ON CONFLICT DO NOTHING;
