-- The schema state: one row per object of the database's own schemas, as PostgreSQL itself
-- prints it (pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef, pg_get_functiondef,
-- pg_get_triggerdef, pg_get_expr, format_type). Two databases whose rows are equal have the
-- same schema for every kind of object listed here, whatever statements made them.
--
-- Run with search_path set to pg_catalog alone (ReadState does, in the same transaction), so
-- that every name outside pg_catalog is printed schema-qualified, whichever session reads it.
--
-- Left out: objects that belong to an extension (the extension and its version stand for
-- them), owners and privileges (a shadow database is made by steady's own role, the live one
-- by whoever ran its history), and the system and temporary schemas.
WITH ns AS (
	SELECT n.oid, n.nspname
	FROM pg_namespace n
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	  AND n.nspname NOT LIKE 'pg\_temp\_%'
	  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
	  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
),
rel AS (
	SELECT c.oid, c.relname, c.relkind, c.relnamespace, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
		c.relreplident, c.reloptions, c.relispartition, c.relpartbound, c.reloftype, c.relispopulated,
		format('%I.%I', ns.nspname, c.relname) AS qname
	FROM pg_class c
	JOIN ns ON ns.oid = c.relnamespace
	WHERE NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
),
fn AS (
	SELECT p.oid, p.prokind, format('%I.%I(%s)', ns.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS qname
	FROM pg_proc p
	JOIN ns ON ns.oid = p.pronamespace
	WHERE NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
),
typ AS (
	SELECT t.oid, t.typtype, t.typbasetype, t.typtypmod, t.typnotnull, t.typdefault, t.typrelid, t.typcollation,
		format('%I.%I', ns.nspname, t.typname) AS qname
	FROM pg_type t
	JOIN ns ON ns.oid = t.typnamespace
	LEFT JOIN pg_class c ON c.oid = t.typrelid
	-- A table's or view's row type is its relation; an array type follows its element.
	WHERE (t.typtype IN ('e', 'd', 'r', 'm', 'b') OR (t.typtype = 'c' AND c.relkind = 'c'))
	  AND t.typcategory <> 'A'
	  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
)
SELECT s.k, s.v FROM (
SELECT 'schema ' || quote_ident(ns.nspname), '' FROM ns

UNION ALL
SELECT 'extension ' || quote_ident(e.extname), concat_ws(' ', 'version ' || e.extversion, 'schema ' || quote_ident(n.nspname))
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace

UNION ALL
-- Tables, partitioned and foreign tables; views, materialized views, sequences; composite
-- types are types below.
SELECT CASE r.relkind WHEN 'r' THEN 'table ' WHEN 'p' THEN 'table ' WHEN 'f' THEN 'foreign-table '
		WHEN 'v' THEN 'view ' WHEN 'm' THEN 'matview ' WHEN 'S' THEN 'sequence ' END || r.qname,
	CASE
		WHEN r.relkind IN ('r', 'p', 'f') THEN concat_ws(' ',
			CASE r.relkind WHEN 'p' THEN 'partitioned by ' || pg_get_partkeydef(r.oid) END,
			CASE WHEN r.relispartition THEN 'partition of ' || (SELECT string_agg(i.inhparent::regclass::text, ', ') FROM pg_inherits i WHERE i.inhrelid = r.oid)
				|| ' ' || pg_get_expr(r.relpartbound, r.oid) END,
			CASE WHEN NOT r.relispartition AND EXISTS (SELECT FROM pg_inherits i WHERE i.inhrelid = r.oid)
				THEN 'inherits ' || (SELECT string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno) FROM pg_inherits i WHERE i.inhrelid = r.oid) END,
			CASE WHEN r.reloftype <> 0 THEN 'of ' || format_type(r.reloftype, NULL) END,
			CASE r.relpersistence WHEN 'u' THEN 'unlogged' END,
			CASE WHEN r.relrowsecurity THEN 'row security' END,
			CASE WHEN r.relforcerowsecurity THEN 'forced row security' END,
			CASE r.relreplident WHEN 'f' THEN 'replica identity full' WHEN 'n' THEN 'replica identity nothing'
				WHEN 'i' THEN 'replica identity index' END,
			'with ' || array_to_string(r.reloptions, ', '))
		WHEN r.relkind IN ('v', 'm') THEN concat_ws(' ',
			'with ' || array_to_string(r.reloptions, ', '),
			CASE WHEN r.relkind = 'm' AND NOT r.relispopulated THEN 'no data' END,
			'as ' || pg_get_viewdef(r.oid))
		WHEN r.relkind = 'S' THEN (SELECT concat_ws(' ', 'as ' || format_type(s.seqtypid, NULL), 'start ' || s.seqstart,
				'increment ' || s.seqincrement, 'min ' || s.seqmin, 'max ' || s.seqmax, 'cache ' || s.seqcache,
				CASE WHEN s.seqcycle THEN 'cycle' END,
				(SELECT CASE d.deptype WHEN 'i' THEN 'identity of ' ELSE 'owned by ' END
					|| d.refobjid::regclass::text || '.' || quote_ident(a.attname)
					FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
					WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
					  AND d.deptype IN ('a', 'i') LIMIT 1))
			FROM pg_sequence s WHERE s.seqrelid = r.oid)
	END
FROM rel r
WHERE r.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')

UNION ALL
-- Columns of tables, in their order among the columns that are not dropped.
SELECT 'column ' || r.qname || '.' || quote_ident(a.attname),
	concat_ws(' ', '#' || row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
		format_type(a.atttypid, a.atttypmod),
		CASE WHEN a.attcollation <> t.typcollation THEN 'collate ' || (SELECT quote_ident(co.collname) FROM pg_collation co WHERE co.oid = a.attcollation) END,
		CASE WHEN a.attnotnull THEN 'not null' END,
		CASE a.attidentity WHEN 'a' THEN 'generated always as identity' WHEN 'd' THEN 'generated by default as identity' END,
		CASE WHEN a.attgenerated = 's' THEN 'generated always as (' || pg_get_expr(d.adbin, d.adrelid) || ') stored'
			WHEN d.adbin IS NOT NULL THEN 'default ' || pg_get_expr(d.adbin, d.adrelid) END)
FROM rel r
JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE r.relkind IN ('r', 'p', 'f')

UNION ALL
-- Table constraints, and domain constraints under their domain's name.
SELECT 'constraint ' || coalesce(r.qname, t.qname) || '.' || quote_ident(k.conname),
	concat_ws(' ', pg_get_constraintdef(k.oid), CASE WHEN NOT k.convalidated THEN 'not validated' END)
FROM pg_constraint k
LEFT JOIN rel r ON r.oid = k.conrelid
LEFT JOIN typ t ON t.oid = k.contypid
WHERE k.conrelid <> 0 AND r.oid IS NOT NULL OR k.contypid <> 0 AND t.oid IS NOT NULL

UNION ALL
SELECT 'index ' || r.qname,
	concat_ws(' ', pg_get_indexdef(r.oid), CASE WHEN NOT i.indisvalid THEN 'invalid' END,
		CASE WHEN i.indisclustered THEN 'clustered' END, CASE WHEN i.indisreplident THEN 'replica identity' END)
FROM rel r JOIN pg_index i ON i.indexrelid = r.oid
WHERE r.relkind IN ('i', 'I')

UNION ALL
SELECT CASE f.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' ELSE 'function ' END || f.qname,
	CASE WHEN f.prokind = 'a' THEN (SELECT concat_ws(' ', 'sfunc ' || ag.aggtransfn::text, 'stype ' || format_type(ag.aggtranstype, NULL),
			CASE WHEN ag.aggfinalfn <> 0 THEN 'finalfunc ' || ag.aggfinalfn::text END,
			CASE WHEN ag.aggcombinefn <> 0 THEN 'combinefunc ' || ag.aggcombinefn::text END,
			'initcond ' || ag.agginitval, 'sortop ' || nullif(ag.aggsortop, 0)::regoperator::text)
		FROM pg_aggregate ag WHERE ag.aggfnoid = f.oid)
	ELSE pg_get_functiondef(f.oid) END
FROM fn f

UNION ALL
SELECT 'type ' || t.qname,
	CASE t.typtype
		WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
		WHEN 'c' THEN 'composite (' || (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
			FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) || ')'
		WHEN 'd' THEN concat_ws(' ', 'domain ' || format_type(t.typbasetype, t.typtypmod),
			CASE WHEN t.typnotnull THEN 'not null' END, 'default ' || t.typdefault)
		WHEN 'r' THEN (SELECT 'range of ' || format_type(rg.rngsubtype, NULL) FROM pg_range rg WHERE rg.rngtypid = t.oid)
		WHEN 'm' THEN 'multirange'
		ELSE 'base type'
	END
FROM typ t
-- A range's multirange is made with it.
WHERE t.typtype <> 'm'

UNION ALL
SELECT 'trigger ' || r.qname || '.' || quote_ident(g.tgname),
	concat_ws(' ', pg_get_triggerdef(g.oid), CASE g.tgenabled WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'enabled replica'
		WHEN 'A' THEN 'enabled always' END)
FROM pg_trigger g JOIN rel r ON r.oid = g.tgrelid
WHERE NOT g.tgisinternal

UNION ALL
SELECT 'policy ' || r.qname || '.' || quote_ident(p.polname),
	concat_ws(' ', CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,
		'for ' || CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete' ELSE 'all' END,
		'to ' || (SELECT string_agg(CASE WHEN ro = 0 THEN 'public' ELSE quote_ident(pg_get_userbyid(ro)) END, ', ' ORDER BY 1) FROM unnest(p.polroles) ro),
		'using (' || pg_get_expr(p.polqual, p.polrelid) || ')',
		'with check (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')')
FROM pg_policy p JOIN rel r ON r.oid = p.polrelid

UNION ALL
SELECT 'rule ' || r.qname || '.' || quote_ident(w.rulename), pg_get_ruledef(w.oid)
FROM pg_rewrite w JOIN rel r ON r.oid = w.ev_class
WHERE w.rulename <> '_RETURN'

UNION ALL
SELECT 'statistics ' || format('%I.%I', ns.nspname, s.stxname), pg_get_statisticsobjdef(s.oid)
FROM pg_statistic_ext s JOIN ns ON ns.oid = s.stxnamespace

UNION ALL
SELECT 'publication ' || quote_ident(p.pubname),
	concat_ws(' ', CASE WHEN p.puballtables THEN 'for all tables' END,
		'publish ' || concat_ws(', ', CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
			CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END),
		CASE WHEN p.pubviaroot THEN 'via root' END)
FROM pg_publication p

UNION ALL
SELECT 'publication-table ' || quote_ident(p.pubname) || ' ' || r.qname,
	concat_ws(' ', 'where (' || pg_get_expr(pr.prqual, pr.prrelid) || ')')
FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid JOIN rel r ON r.oid = pr.prrelid

UNION ALL
SELECT 'publication-schema ' || quote_ident(p.pubname) || ' ' || quote_ident(ns.nspname), ''
FROM pg_publication_namespace pn JOIN pg_publication p ON p.oid = pn.pnpubid JOIN ns ON ns.oid = pn.pnnspid

UNION ALL
SELECT 'event-trigger ' || quote_ident(e.evtname),
	concat_ws(' ', 'on ' || e.evtevent, 'execute ' || e.evtfoid::regproc::text,
		'when tag in (' || array_to_string(e.evttags, ', ') || ')', CASE e.evtenabled WHEN 'D' THEN 'disabled' END)
FROM pg_event_trigger e
WHERE NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_event_trigger'::regclass AND d.objid = e.oid AND d.deptype = 'e')

UNION ALL
-- Comments on relations, columns, functions, types and schemas.
SELECT 'comment ' || CASE
		WHEN c.classoid = 'pg_class'::regclass AND c.objsubid = 0 THEN 'on ' || (SELECT r.qname FROM rel r WHERE r.oid = c.objoid)
		WHEN c.classoid = 'pg_class'::regclass THEN 'on column ' || (SELECT r.qname || '.' || quote_ident(a.attname)
			FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = c.objsubid WHERE r.oid = c.objoid)
		WHEN c.classoid = 'pg_proc'::regclass THEN 'on function ' || (SELECT f.qname FROM fn f WHERE f.oid = c.objoid)
		WHEN c.classoid = 'pg_type'::regclass THEN 'on type ' || (SELECT t.qname FROM typ t WHERE t.oid = c.objoid)
		WHEN c.classoid = 'pg_namespace'::regclass THEN 'on schema ' || (SELECT quote_ident(ns.nspname) FROM ns WHERE ns.oid = c.objoid)
	END, c.description
FROM pg_description c
WHERE c.classoid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass, 'pg_namespace'::regclass)
) AS s (k, v)
-- A comment on an object left out above names nothing.
WHERE s.k IS NOT NULL
