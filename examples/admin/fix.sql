-- backfill: blank_whatsapp_fix
-- description: phone_whatsapp left blank by last week's importer becomes NULL (the app shows
--   "no WhatsApp" for NULL only)
-- key: id
--
-- One batch by hand: psql -v from=0 -v to=1000 -f fix.sql

UPDATE leads SET phone_whatsapp = NULL
WHERE id > :from AND id <= :to AND btrim(phone_whatsapp) = '';

SELECT id FROM leads WHERE id > :from AND id <= :to AND btrim(phone_whatsapp) = '';
