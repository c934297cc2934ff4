-- Broadcasts: a bulk send of one message to an audience of leads.

CREATE TYPE broadcast_status AS ENUM ('draft', 'scheduled', 'running', 'paused', 'completed', 'failed', 'cancelled');

CREATE TABLE broadcast_jobs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    business_id     bigint NOT NULL,
    created_by      bigint,
    name            text NOT NULL,
    channel         message_channel NOT NULL,
    body            text NOT NULL,
    template_name   text,
    audience_filter jsonb NOT NULL DEFAULT '{}'::jsonb,
    status          broadcast_status NOT NULL DEFAULT 'draft',
    scheduled_at    timestamptz,
    started_at      timestamptz,
    finished_at     timestamptz,
    total_count     integer NOT NULL DEFAULT 0,
    sent_count      integer NOT NULL DEFAULT 0,
    failed_count    integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT broadcast_jobs_business_fk FOREIGN KEY (business_id) REFERENCES business (id) ON DELETE CASCADE,
    CONSTRAINT broadcast_jobs_created_by_fk FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT broadcast_jobs_counts_check CHECK (total_count >= 0 AND sent_count >= 0 AND failed_count >= 0)
);

CREATE TRIGGER broadcast_jobs_touch_updated_at
    BEFORE UPDATE ON broadcast_jobs
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
