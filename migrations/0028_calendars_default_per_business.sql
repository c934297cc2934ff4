-- Appointments: every business has exactly one default calendar, used by the voice agent
-- and WhatsApp booking. Marks the oldest calendar (or creates one) and enforces one default.

ALTER TABLE calendars
    ADD COLUMN is_default boolean NOT NULL DEFAULT false;

-- The UPDATE and INSERT below have run exactly when the index that depends on them exists.
-- steady:fingerprint index calendars_one_default_per_business_idx
-- steady:allow backfill-in-ddl-transaction one row per business (its oldest calendar), written once: the unique index below must commit with it
UPDATE calendars
SET is_default = true
WHERE id IN (
    SELECT min(c.id)
    FROM calendars c
    GROUP BY c.business_id
    HAVING NOT bool_or(c.is_default)
);

-- steady:fingerprint index calendars_one_default_per_business_idx
INSERT INTO calendars (business_id, name, timezone, is_default)
SELECT b.id, 'Main', b.timezone, true
FROM business b
WHERE NOT EXISTS (SELECT 1 FROM calendars c WHERE c.business_id = b.id);

-- At most one default calendar per business.
-- steady:allow require-concurrent-index-creation the index must commit with the UPDATE and INSERT above (it is their fingerprint), and calendars holds a few rows per business
CREATE UNIQUE INDEX calendars_one_default_per_business_idx
    ON calendars (business_id)
    WHERE is_default;
