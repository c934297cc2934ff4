// Package backfills holds the CRM product's backfills: one plain SQL file per backfill,
// embedded in the binary as [FS]. steady worker and steady backfill read them unless
// --backfills-dir (STEADY_BACKFILLS_DIR) names another directory. Adding a backfill is adding
// a file; nothing is compiled for it.
//
// # Files
//
// A file opens with a header of "-- field: value" comment lines (a line indented under a field
// continues it), then holds the batch statement and, optionally, the SELECT of the keys that
// still need it:
//
//	-- backfill: business_webhook_secret
//	-- description: business.webhook_secret for rows without one
//	-- table: business
//	-- key: id
//	-- schedule: CRON_TZ=Asia/Jerusalem 0 4 * * *
//
//	UPDATE business SET webhook_secret = encode(gen_random_bytes(32), 'hex')
//	WHERE id > :from AND id <= :to AND btrim(webhook_secret) = '';
//
//	SELECT id FROM business WHERE id > :from AND id <= :to AND btrim(webhook_secret) = '';
//
// Fields: backfill (the name, lower_snake; default the file's name), description, table (the
// table the batch changes; default the UPDATE's), key (required: a unique, indexed integer
// column), key-table (the table whose key delimits batches, when it is another table the
// UPDATE reads in its FROM), schedule (a cron spec, optionally CRON_TZ=Zone first, UTC
// otherwise; none: the backfill runs only when started), slices (of a scheduled or on-start
// run, default 1).
//
// The batch is one UPDATE (or DELETE) whose WHERE holds key > :from AND key <= :to: steady
// runs it for consecutive key ranges, each in its own short transaction with its checkpoint.
// It must change only rows that still need it, so that a rerun changes nothing; the SELECT
// (the keys of the range that still need the change) lets steady count the work left. :from
// and :to are psql variables, so psql runs one batch of the file as it is:
//
//	psql -v from=0 -v to=1000 -f backfills/business_webhook_secret.sql
//
// steady lint checks the files (a batch without the key range, a table no migration makes);
// a bad file stops steady worker and steady backfill with exit 2, naming the file and line.
package backfills
