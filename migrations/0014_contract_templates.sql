-- Contracts: reusable contract templates. business_id NULL marks a built-in template
-- offered to every business; names are unique per business (NULLs count as equal).

CREATE TABLE contract_templates (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id bigint,
    name        text NOT NULL,
    body        text NOT NULL,
    variables   jsonb NOT NULL DEFAULT '[]'::jsonb,
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT contract_templates_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT contract_templates_business_name_key UNIQUE NULLS NOT DISTINCT (business_id, name),
    CONSTRAINT contract_templates_variables_check CHECK (jsonb_typeof(variables) = 'array')
);

CREATE TRIGGER contract_templates_touch_updated_at
    BEFORE UPDATE ON contract_templates
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
