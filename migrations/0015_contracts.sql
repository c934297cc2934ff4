-- Contracts: a contract sent to a lead, rendered from a template, and its signature.

CREATE TYPE contract_status AS ENUM ('draft', 'sent', 'viewed', 'signed', 'declined', 'expired');

CREATE TABLE contracts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id   bigint NOT NULL,
    lead_id       bigint,
    template_id   bigint,
    title         text NOT NULL,
    body_rendered text NOT NULL,
    status        contract_status NOT NULL DEFAULT 'draft',
    sign_token    text,
    sent_at       timestamptz,
    viewed_at     timestamptz,
    signed_at     timestamptz,
    signer_name   text,
    signer_ip     inet,
    pdf_url       text,
    expires_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT contracts_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT contracts_lead_fk FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE SET NULL,
    CONSTRAINT contracts_template_fk FOREIGN KEY (template_id) REFERENCES contract_templates (id) ON DELETE SET NULL,
    CONSTRAINT contracts_sign_token_key UNIQUE (sign_token),
    CONSTRAINT contracts_signed_at_check CHECK (status <> 'signed' OR signed_at IS NOT NULL)
);

CREATE TRIGGER contracts_touch_updated_at
    BEFORE UPDATE ON contracts
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
