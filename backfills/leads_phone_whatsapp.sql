-- backfill: leads_phone_whatsapp
-- description: leads.phone_whatsapp normalised to E.164 (Israeli national numbers, 00 prefixes,
--   WhatsApp JIDs, punctuation)
-- table: leads
-- key: id
-- schedule: CRON_TZ=Asia/Jerusalem 45 3 * * *
--
-- One batch by hand: psql -v from=0 -v to=1000 -f backfills/leads_phone_whatsapp.sql

-- phone_whatsapp in E.164: digits of a JID ("972501234567@s.whatsapp.net"), "00" international
-- prefixes, Israeli national numbers ("050-123-4567") and punctuation are rewritten; blank
-- becomes NULL; anything else that cannot be read as a number stays as it is (so it never
-- counts as work again).
UPDATE leads SET phone_whatsapp = (SELECT CASE
        WHEN btrim(phone_whatsapp) = '' THEN NULL
        WHEN d ~ '^\+[1-9][0-9]{6,14}$' THEN d
        WHEN d ~ '^00[1-9][0-9]{6,14}$' THEN '+' || substr(d, 3)
        WHEN d ~ '^0[1-9][0-9]{7,8}$' THEN '+972' || substr(d, 2)
        WHEN d ~ '^[1-9][0-9]{9,14}$' THEN '+' || d
        ELSE phone_whatsapp END
    FROM (SELECT regexp_replace(regexp_replace(phone_whatsapp, '@.*$', ''), '[^0-9+]', '', 'g') AS d) AS n)
WHERE id > :from AND id <= :to AND phone_whatsapp IS DISTINCT FROM (SELECT CASE
        WHEN btrim(phone_whatsapp) = '' THEN NULL
        WHEN d ~ '^\+[1-9][0-9]{6,14}$' THEN d
        WHEN d ~ '^00[1-9][0-9]{6,14}$' THEN '+' || substr(d, 3)
        WHEN d ~ '^0[1-9][0-9]{7,8}$' THEN '+972' || substr(d, 2)
        WHEN d ~ '^[1-9][0-9]{9,14}$' THEN '+' || d
        ELSE phone_whatsapp END
    FROM (SELECT regexp_replace(regexp_replace(phone_whatsapp, '@.*$', ''), '[^0-9+]', '', 'g') AS d) AS n);

-- The leads of the range still to change: none once the UPDATE has run.
SELECT id FROM leads
WHERE id > :from AND id <= :to AND phone_whatsapp IS DISTINCT FROM (SELECT CASE
        WHEN btrim(phone_whatsapp) = '' THEN NULL
        WHEN d ~ '^\+[1-9][0-9]{6,14}$' THEN d
        WHEN d ~ '^00[1-9][0-9]{6,14}$' THEN '+' || substr(d, 3)
        WHEN d ~ '^0[1-9][0-9]{7,8}$' THEN '+972' || substr(d, 2)
        WHEN d ~ '^[1-9][0-9]{9,14}$' THEN '+' || d
        ELSE phone_whatsapp END
    FROM (SELECT regexp_replace(regexp_replace(phone_whatsapp, '@.*$', ''), '[^0-9+]', '', 'g') AS d) AS n);
