-- The catalog snapshot: one statement returning one row of JSON arrays, so it costs one round
-- trip and every part of it is read under the same MVCC snapshot. Only pg_catalog is read
-- (information_schema hides objects the role holds no privilege on, and is slow on large catalogs).
--
-- Column types are spelled independently of the session's search_path (which a pooler may
-- have leaked or a role may have set): format_type() output, with the namespace of the base
-- type (the element type for arrays) decided as follows:
--   pg_catalog and public: unqualified ("text", "character varying(32)", "mood[]");
--   any other schema:      qualified ("app.status", "extensions.citext").
WITH ns AS (
	SELECT n.oid, n.nspname
	FROM pg_catalog.pg_namespace n
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	  AND n.nspname NOT LIKE 'pg\_temp\_%'
	  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
),
-- $1: NULL for every relation, or the names of the relations to read (ReadRelations).
rel AS (
	SELECT c.oid, ns.nspname AS schema, c.relname AS name, c.relkind AS kind, c.relpages, c.reltuples, c.reltoastrelid
	FROM pg_catalog.pg_class c
	JOIN ns ON ns.oid = c.relnamespace
	WHERE $1::text[] IS NULL OR c.relname = ANY ($1::text[])
)
SELECT
	(SELECT coalesce(json_agg(ns.nspname), '[]') FROM ns) AS schemas,

	(SELECT coalesce(json_agg(x), '[]') FROM (
		SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
		FROM pg_catalog.pg_extension e
		JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
	) x) AS extensions,

	(SELECT coalesce(json_agg(x), '[]') FROM (
		SELECT r.schema, r.name, r.kind,
			-- A table's size for the lint, as of its last VACUUM, ANALYZE or CREATE INDEX and read
			-- without a lock (pg_total_relation_size would lock): reltuples is -1 until the first.
			CASE WHEN r.kind IN ('r', 'm') THEN r.reltuples::bigint END AS rows,
			CASE WHEN r.kind IN ('r', 'm') THEN r.relpages::bigint * current_setting('block_size')::bigint END AS heap_bytes,
			CASE WHEN r.kind IN ('r', 'm') THEN (r.relpages::bigint
				+ coalesce((SELECT t.relpages FROM pg_catalog.pg_class t WHERE t.oid = r.reltoastrelid), 0)
				+ coalesce((SELECT sum(ic.relpages) FROM pg_catalog.pg_index ix
					JOIN pg_catalog.pg_class ic ON ic.oid = ix.indexrelid WHERE ix.indrelid = r.oid), 0)
			)::bigint * current_setting('block_size')::bigint END AS total_bytes
		FROM rel r
	) x) AS relations,

	(SELECT coalesce(json_agg(x ORDER BY x.num), '[]') FROM (
		SELECT r.schema, r.name AS table, a.attnum AS num, a.attname AS name,
			CASE
				WHEN tn.nspname IN ('pg_catalog', 'public') THEN
					CASE WHEN starts_with(ft.f, tn.nspname || '.')
						THEN substr(ft.f, length(tn.nspname) + 2) ELSE ft.f END
				WHEN starts_with(ft.f, quote_ident(tn.nspname) || '.') THEN ft.f
				ELSE quote_ident(tn.nspname) || '.' || ft.f
			END AS type,
			a.attnotnull AS not_null,
			-- An identity column fills itself like a default does, without a pg_attrdef row.
			(a.atthasdef OR a.attidentity <> '') AS has_default,
			pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default_expr
		FROM rel r
		JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
		LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
		-- format_type spells an array as its element type plus "[]": qualify by the element.
		LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typlen = -1
		JOIN pg_catalog.pg_namespace tn ON tn.oid = coalesce(et.typnamespace, t.typnamespace)
		CROSS JOIN LATERAL (SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) AS f) ft
		WHERE r.kind IN ('r', 'p', 'v', 'm')
	) x) AS columns,

	(SELECT coalesce(json_agg(x), '[]') FROM (
		SELECT r.schema, r.name AS table, con.conname AS name,
			con.convalidated AS validated, pg_catalog.pg_get_constraintdef(con.oid) AS definition
		FROM pg_catalog.pg_constraint con
		JOIN rel r ON r.oid = con.conrelid
	) x) AS constraints,

	(SELECT coalesce(json_agg(x), '[]') FROM (
		SELECT r.schema, r.name, t.relname AS table, i.indisvalid AS valid, i.indisready AS ready,
			pg_catalog.pg_get_indexdef(r.oid) AS definition,
			-- Not pg_relation_size: it locks each index in turn, so the read would queue
			-- behind any DDL holding or awaiting an ACCESS EXCLUSIVE lock.
			r.relpages::bigint * current_setting('block_size')::bigint AS size_bytes
		FROM rel r
		JOIN pg_catalog.pg_index i ON i.indexrelid = r.oid
		JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
		WHERE r.kind IN ('i', 'I')
	) x) AS indexes,

	(SELECT coalesce(json_agg(x), '[]') FROM (
		SELECT ns.nspname AS schema, t.typname AS name, t.typtype AS kind
		FROM pg_catalog.pg_type t
		JOIN ns ON ns.oid = t.typnamespace
		LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
		-- A composite type made by CREATE TYPE has a class of relkind 'c'; a table's row type
		-- has the table's class and is not a type of its own here.
		WHERE t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c')
	) x) AS types,

	(SELECT coalesce(json_agg(x ORDER BY x.sort), '[]') FROM (
		SELECT ns.nspname AS schema, t.typname AS type, e.enumlabel AS label, e.enumsortorder AS sort
		FROM pg_catalog.pg_enum e
		JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid
		JOIN ns ON ns.oid = t.typnamespace
	) x) AS enum_values,

	(SELECT coalesce(json_agg(x), '[]') FROM (
		SELECT ns.nspname AS schema, p.proname AS name, p.prokind AS kind,
			pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
			-- The body's hash, not the body: a snapshot of a large schema stays small.
			md5(p.prosrc) AS src_md5
		FROM pg_catalog.pg_proc p
		JOIN ns ON ns.oid = p.pronamespace
	) x) AS functions,

	(SELECT coalesce(json_agg(x), '[]') FROM (
		SELECT r.schema, r.name AS table, tg.tgname AS name, tg.tgenabled AS enabled
		FROM pg_catalog.pg_trigger tg
		JOIN rel r ON r.oid = tg.tgrelid
		WHERE NOT tg.tgisinternal
	) x) AS triggers,

	(SELECT coalesce(json_agg(x), '[]') FROM (
		SELECT r.schema, r.name AS table, p.polname AS name
		FROM pg_catalog.pg_policy p
		JOIN rel r ON r.oid = p.polrelid
	) x) AS policies,

	(SELECT coalesce(json_agg(p.pubname), '[]') FROM pg_catalog.pg_publication p) AS publications
