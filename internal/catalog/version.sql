-- The catalog version: a hash over every catalog fact a fingerprint can check, in one cheap
-- statement: each part is an order-independent sum of 64-bit hashes of raw catalog rows (oids
-- and flags: no format_type, no pg_get_indexdef, no sorting, nothing sent but 32 bytes).
-- hash_record_extended combines a row's fields linearly (31·h + field): summed as is, a fact
-- moved from one row to another (NOT NULL from one column to the next, two names swapped)
-- would cancel out, so hashint8extended mixes each row's hash before the sum.
-- Any DDL in a user schema changes it. Recreating an identical object changes it too (new
-- oids), which only costs the next run a full verification.
WITH ns AS (
	SELECT n.oid
	FROM pg_catalog.pg_namespace n
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	  AND n.nspname NOT LIKE 'pg\_temp\_%'
	  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
)
SELECT md5(concat_ws('|',
	(SELECT sum(hashint8extended(hash_record_extended((n.oid, n.nspname), 0), 0)::numeric)
		FROM pg_catalog.pg_namespace n WHERE n.oid IN (SELECT oid FROM ns)),
	(SELECT sum(hashint8extended(hash_record_extended((e.oid, e.extname), 0), 0)::numeric) FROM pg_catalog.pg_extension e),
	-- Relations, with their index flags folded in (one scan of pg_class, not two).
	(SELECT sum(hashint8extended(hash_record_extended((c.oid, c.relname, c.relkind, c.relnamespace, i.indrelid, i.indisvalid, i.indisready), 0), 0)::numeric)
		FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
		WHERE c.relnamespace IN (SELECT oid FROM ns)),
	(SELECT sum(hashint8extended(hash_record_extended((a.attrelid, a.attname, a.atttypid, a.atttypmod, a.attnotnull, a.atthasdef, a.attidentity), 0), 0)::numeric)
		FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
		WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		  AND c.relnamespace IN (SELECT oid FROM ns)),
	-- A default set again is a new pg_attrdef row: a changed default changes the version.
	(SELECT sum(hashint8extended(hash_record_extended((d.oid, d.adrelid, d.adnum), 0), 0)::numeric)
		FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_class c ON c.oid = d.adrelid
		WHERE c.relnamespace IN (SELECT oid FROM ns)),
	(SELECT sum(hashint8extended(hash_record_extended((k.oid, k.conrelid, k.conname, k.contype, k.convalidated), 0), 0)::numeric)
		FROM pg_catalog.pg_constraint k WHERE k.connamespace IN (SELECT oid FROM ns)),
	-- Enums, domains, ranges. Composite types are pg_class rows already (relkind 'c'), and
	-- every table's row type would only repeat its relation.
	(SELECT sum(hashint8extended(hash_record_extended((t.oid, t.typname, t.typtype), 0), 0)::numeric)
		FROM pg_catalog.pg_type t WHERE t.typtype IN ('e', 'd', 'r') AND t.typnamespace IN (SELECT oid FROM ns)),
	(SELECT sum(hashint8extended(hash_record_extended((e.oid, e.enumtypid, e.enumlabel, e.enumsortorder), 0), 0)::numeric)
		FROM pg_catalog.pg_enum e),
	(SELECT sum(hashint8extended(hash_record_extended((p.oid, p.proname, md5(p.prosrc)), 0), 0)::numeric)
		FROM pg_catalog.pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns)),
	(SELECT sum(hashint8extended(hash_record_extended((g.oid, g.tgrelid, g.tgname, g.tgenabled), 0), 0)::numeric)
		FROM pg_catalog.pg_trigger g WHERE NOT g.tgisinternal),
	(SELECT sum(hashint8extended(hash_record_extended((p.oid, p.polrelid, p.polname), 0), 0)::numeric)
		FROM pg_catalog.pg_policy p),
	(SELECT sum(hashint8extended(hash_record_extended((p.oid, p.pubname), 0), 0)::numeric)
		FROM pg_catalog.pg_publication p)
)) AS version
