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
--
-- Incremental reads. Objects are grouped in units: a relation with its columns, constraints,
-- indexes, triggers, policies, rules and comments ('r' || oid), a function ('p'), a type ('t'),
-- a schema ('n'), and the few global objects ('g': extensions, publications, event triggers,
-- statistics), read every time. Each unit has a signature: the count and a hash of the xmin of
-- every catalog row it is made of, so that any insert, update or delete of one changes it.
-- $1 is the signatures of the last read (NULL: read everything); a unit is read again when its
-- signature changed, when it depends (pg_depend) on a unit that changed, whose name it prints
-- (a view on a table whose column was renamed, a foreign key to a renamed table), or when its
-- schema changed. The result: ('sig', unit, signature) for every unit, ('sel', unit) for
-- every unit read again, and ('row', unit, key, definition) for their objects.
WITH ns AS (
	SELECT n.oid, n.nspname
	FROM pg_namespace n
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
	  AND n.nspname NOT LIKE 'pg\_temp\_%'
	  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
	  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
),
extmember AS (
	SELECT d.classid, d.objid FROM pg_depend d WHERE d.deptype = 'e'
),
-- The units and the catalog rows each is made of (set-based: one scan of each catalog). Every
-- object of a user schema was made after initdb, so its oid is at least FirstNormalObjectId
-- (16384): the bound lets each catalog be read by a range of its oid index instead of whole,
-- thousands of built-in functions and types included.
relu AS (
	SELECT c.oid, c.relnamespace AS nsp FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
	WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
	  AND NOT EXISTS (SELECT FROM extmember e WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid)
),
fnu AS (
	SELECT p.oid, p.pronamespace AS nsp FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
	WHERE p.oid >= 16384 AND NOT EXISTS (SELECT FROM extmember e WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid)
),
typu AS (
	SELECT t.oid, t.typnamespace AS nsp, t.typrelid FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
	LEFT JOIN pg_class c ON c.oid = t.typrelid
	-- A table's or view's row type is its relation; an array type follows its element; a
	-- range's multirange is made with it.
	WHERE t.oid >= 16384 AND (t.typtype IN ('e', 'd', 'r', 'b') OR (t.typtype = 'c' AND c.relkind = 'c'))
	  AND t.typcategory <> 'A'
	  AND NOT EXISTS (SELECT FROM extmember e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid)
),
idx AS (
	SELECT i.indexrelid, i.indrelid, i.xmin FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM relu)
),
relrows (unit, x) AS (
	SELECT c.oid, c.xmin FROM pg_class c WHERE c.oid >= 16384 AND c.oid IN (SELECT oid FROM relu)
	UNION ALL SELECT a.attrelid, a.xmin FROM pg_attribute a WHERE a.attnum > 0 AND a.attrelid IN (SELECT oid FROM relu)
	UNION ALL SELECT d.adrelid, d.xmin FROM pg_attrdef d WHERE d.adrelid IN (SELECT oid FROM relu)
	UNION ALL SELECT k.conrelid, k.xmin FROM pg_constraint k WHERE k.conrelid IN (SELECT oid FROM relu)
	UNION ALL SELECT i.indrelid, i.xmin FROM idx i
	UNION ALL SELECT i.indrelid, ic.xmin FROM idx i JOIN pg_class ic ON ic.oid = i.indexrelid
	UNION ALL SELECT i.indrelid, ds.xmin FROM idx i JOIN pg_description ds ON ds.objoid = i.indexrelid AND ds.classoid = 'pg_class'::regclass
	UNION ALL SELECT t.tgrelid, t.xmin FROM pg_trigger t WHERE t.tgrelid IN (SELECT oid FROM relu)
	UNION ALL SELECT p.polrelid, p.xmin FROM pg_policy p WHERE p.polrelid IN (SELECT oid FROM relu)
	UNION ALL SELECT w.ev_class, w.xmin FROM pg_rewrite w WHERE w.ev_class IN (SELECT oid FROM relu)
	UNION ALL SELECT s.seqrelid, s.xmin FROM pg_sequence s WHERE s.seqrelid IN (SELECT oid FROM relu)
	UNION ALL SELECT h.inhrelid, h.xmin FROM pg_inherits h WHERE h.inhrelid IN (SELECT oid FROM relu)
	UNION ALL SELECT ds.objoid, ds.xmin FROM pg_description ds WHERE ds.classoid = 'pg_class'::regclass AND ds.objoid IN (SELECT oid FROM relu)
	UNION ALL SELECT dd.objid, dd.xmin FROM pg_depend dd WHERE dd.classid = 'pg_class'::regclass AND dd.deptype IN ('a', 'i')
		AND dd.objid IN (SELECT oid FROM relu)
),
fnrows (unit, x) AS (
	SELECT p.oid, p.xmin FROM pg_proc p WHERE p.oid >= 16384 AND p.oid IN (SELECT oid FROM fnu)
	UNION ALL SELECT ag.aggfnoid, ag.xmin FROM pg_aggregate ag WHERE ag.aggfnoid IN (SELECT oid FROM fnu)
	UNION ALL SELECT ds.objoid, ds.xmin FROM pg_description ds WHERE ds.classoid = 'pg_proc'::regclass AND ds.objoid IN (SELECT oid FROM fnu)
),
typrows (unit, x) AS (
	SELECT t.oid, t.xmin FROM pg_type t WHERE t.oid >= 16384 AND t.oid IN (SELECT oid FROM typu)
	UNION ALL SELECT en.enumtypid, en.xmin FROM pg_enum en WHERE en.enumtypid IN (SELECT oid FROM typu)
	UNION ALL SELECT k.contypid, k.xmin FROM pg_constraint k WHERE k.contypid IN (SELECT oid FROM typu)
	UNION ALL SELECT rg.rngtypid, rg.xmin FROM pg_range rg WHERE rg.rngtypid IN (SELECT oid FROM typu)
	UNION ALL SELECT t.oid, tc.xmin FROM typu t JOIN pg_class tc ON tc.oid = t.typrelid
	UNION ALL SELECT t.oid, a.xmin FROM typu t JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0
	UNION ALL SELECT ds.objoid, ds.xmin FROM pg_description ds WHERE ds.classoid = 'pg_type'::regclass AND ds.objoid IN (SELECT oid FROM typu)
),
nsrows (unit, x) AS (
	SELECT n.oid, n.xmin FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM ns)
	UNION ALL SELECT ds.objoid, ds.xmin FROM pg_description ds WHERE ds.classoid = 'pg_namespace'::regclass AND ds.objoid IN (SELECT oid FROM ns)
),
-- A unit's signature: how many catalog rows it is made of, and a hash of their xmin.
units AS (
	SELECT 'r' || r.oid AS u, 'pg_class'::regclass AS cls, r.oid, r.nsp, g.sig
	FROM relu r JOIN (SELECT unit, count(*) || ':' || sum(hashint8(x::text::bigint)) AS sig FROM relrows GROUP BY unit) g ON g.unit = r.oid
	UNION ALL
	SELECT 'p' || f.oid, 'pg_proc'::regclass, f.oid, f.nsp, g.sig
	FROM fnu f JOIN (SELECT unit, count(*) || ':' || sum(hashint8(x::text::bigint)) AS sig FROM fnrows GROUP BY unit) g ON g.unit = f.oid
	UNION ALL
	SELECT 't' || t.oid, 'pg_type'::regclass, t.oid, t.nsp, g.sig
	FROM typu t JOIN (SELECT unit, count(*) || ':' || sum(hashint8(x::text::bigint)) AS sig FROM typrows GROUP BY unit) g ON g.unit = t.oid
	UNION ALL
	SELECT 'n' || n.oid, 'pg_namespace'::regclass, n.oid, n.oid, g.sig
	FROM ns n JOIN (SELECT unit, count(*) || ':' || sum(hashint8(x::text::bigint)) AS sig FROM nsrows GROUP BY unit) g ON g.unit = n.oid
),
prev AS (
	SELECT key AS u, value AS sig FROM jsonb_each_text(coalesce($1::jsonb, '{}'::jsonb))
),
changed AS (
	SELECT un.u, un.cls, un.oid, un.nsp
	FROM units un LEFT JOIN prev ON prev.u = un.u
	WHERE $1::jsonb IS NULL OR prev.sig IS DISTINCT FROM un.sig
),
-- A schema that changed changes every name in it.
inschema AS (
	SELECT un.u, un.cls, un.oid, un.nsp FROM units un
	WHERE un.nsp IN (SELECT c.oid FROM changed c WHERE c.cls = 'pg_namespace'::regclass)
	UNION SELECT * FROM changed
),
-- The unit of a catalog row that depends on another object: what prints that object's name.
depunit AS (
	SELECT d.refclassid, d.refobjid,
		CASE d.classid
			WHEN 'pg_class'::regclass THEN 'r' || coalesce((SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = d.objid), d.objid)
			WHEN 'pg_rewrite'::regclass THEN (SELECT 'r' || w.ev_class FROM pg_rewrite w WHERE w.oid = d.objid)
			WHEN 'pg_constraint'::regclass THEN (SELECT CASE WHEN k.conrelid <> 0 THEN 'r' || k.conrelid ELSE 't' || k.contypid END
				FROM pg_constraint k WHERE k.oid = d.objid)
			WHEN 'pg_attrdef'::regclass THEN (SELECT 'r' || ad.adrelid FROM pg_attrdef ad WHERE ad.oid = d.objid)
			WHEN 'pg_trigger'::regclass THEN (SELECT 'r' || tg.tgrelid FROM pg_trigger tg WHERE tg.oid = d.objid)
			WHEN 'pg_policy'::regclass THEN (SELECT 'r' || po.polrelid FROM pg_policy po WHERE po.oid = d.objid)
			WHEN 'pg_proc'::regclass THEN 'p' || d.objid
			WHEN 'pg_type'::regclass THEN 't' || d.objid
		END AS u
	FROM pg_depend d
	WHERE $1::jsonb IS NOT NULL -- a first read reads everything anyway
	  AND d.deptype IN ('n', 'a', 'i')
	  AND (d.refclassid, d.refobjid) IN (SELECT c.cls::oid, c.oid FROM inschema c)
),
sel AS (
	SELECT un.u, un.cls, un.oid FROM units un
	WHERE un.u IN (SELECT u FROM inschema UNION SELECT u FROM depunit)
),
rel AS (
	SELECT c.oid, c.relname, c.relkind, c.relnamespace, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
		c.relreplident, c.reloptions, c.relispartition, c.relpartbound, c.reloftype, c.relispopulated,
		format('%I.%I', ns.nspname, c.relname) AS qname,
		'r' || coalesce(i.indrelid, c.oid) AS u
	FROM pg_class c
	JOIN ns ON ns.oid = c.relnamespace
	LEFT JOIN pg_index i ON i.indexrelid = c.oid
	WHERE coalesce(i.indrelid, c.oid) IN (SELECT s.oid FROM sel s WHERE s.cls = 'pg_class'::regclass)
),
fn AS (
	SELECT p.oid, p.prokind, format('%I.%I(%s)', ns.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS qname,
		'p' || p.oid AS u
	FROM pg_proc p
	JOIN ns ON ns.oid = p.pronamespace
	WHERE p.oid IN (SELECT s.oid FROM sel s WHERE s.cls = 'pg_proc'::regclass)
),
typ AS (
	SELECT t.oid, t.typtype, t.typbasetype, t.typtypmod, t.typnotnull, t.typdefault, t.typrelid, t.typcollation,
		format('%I.%I', ns.nspname, t.typname) AS qname, 't' || t.oid AS u
	FROM pg_type t
	JOIN ns ON ns.oid = t.typnamespace
	WHERE t.oid IN (SELECT s.oid FROM sel s WHERE s.cls = 'pg_type'::regclass)
),
nsel AS (
	SELECT ns.oid, ns.nspname, 'n' || ns.oid AS u FROM ns
	WHERE ns.oid IN (SELECT s.oid FROM sel s WHERE s.cls = 'pg_namespace'::regclass)
),
rows (u, k, v) AS (
SELECT n.u, 'schema ' || quote_ident(n.nspname), '' FROM nsel n

UNION ALL
SELECT 'g', 'extension ' || quote_ident(e.extname), concat_ws(' ', 'version ' || e.extversion, 'schema ' || quote_ident(n.nspname))
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace

UNION ALL
-- Tables, partitioned and foreign tables; views, materialized views, sequences; composite
-- types are types below.
SELECT r.u, CASE r.relkind WHEN 'r' THEN 'table ' WHEN 'p' THEN 'table ' WHEN 'f' THEN 'foreign-table '
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
SELECT r.u, 'column ' || r.qname || '.' || quote_ident(a.attname),
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
SELECT coalesce(r.u, t.u), 'constraint ' || coalesce(r.qname, t.qname) || '.' || quote_ident(k.conname),
	concat_ws(' ', pg_get_constraintdef(k.oid), CASE WHEN NOT k.convalidated THEN 'not validated' END)
FROM pg_constraint k
LEFT JOIN rel r ON r.oid = k.conrelid
LEFT JOIN typ t ON t.oid = k.contypid
WHERE k.conrelid <> 0 AND r.oid IS NOT NULL OR k.contypid <> 0 AND t.oid IS NOT NULL

UNION ALL
SELECT r.u, 'index ' || r.qname,
	concat_ws(' ', pg_get_indexdef(r.oid), CASE WHEN NOT i.indisvalid THEN 'invalid' END,
		CASE WHEN i.indisclustered THEN 'clustered' END, CASE WHEN i.indisreplident THEN 'replica identity' END)
FROM rel r JOIN pg_index i ON i.indexrelid = r.oid
WHERE r.relkind IN ('i', 'I')

UNION ALL
SELECT f.u, CASE f.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' ELSE 'function ' END || f.qname,
	CASE WHEN f.prokind = 'a' THEN (SELECT concat_ws(' ', 'sfunc ' || ag.aggtransfn::text, 'stype ' || format_type(ag.aggtranstype, NULL),
			CASE WHEN ag.aggfinalfn <> 0 THEN 'finalfunc ' || ag.aggfinalfn::text END,
			CASE WHEN ag.aggcombinefn <> 0 THEN 'combinefunc ' || ag.aggcombinefn::text END,
			'initcond ' || ag.agginitval, 'sortop ' || nullif(ag.aggsortop, 0)::regoperator::text)
		FROM pg_aggregate ag WHERE ag.aggfnoid = f.oid)
	ELSE pg_get_functiondef(f.oid) END
FROM fn f

UNION ALL
SELECT t.u, 'type ' || t.qname,
	CASE t.typtype
		WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
		WHEN 'c' THEN 'composite (' || (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
			FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) || ')'
		WHEN 'd' THEN concat_ws(' ', 'domain ' || format_type(t.typbasetype, t.typtypmod),
			CASE WHEN t.typnotnull THEN 'not null' END, 'default ' || t.typdefault)
		WHEN 'r' THEN (SELECT 'range of ' || format_type(rg.rngsubtype, NULL) FROM pg_range rg WHERE rg.rngtypid = t.oid)
		ELSE 'base type'
	END
FROM typ t

UNION ALL
SELECT r.u, 'trigger ' || r.qname || '.' || quote_ident(g.tgname),
	concat_ws(' ', pg_get_triggerdef(g.oid), CASE g.tgenabled WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'enabled replica'
		WHEN 'A' THEN 'enabled always' END)
FROM pg_trigger g JOIN rel r ON r.oid = g.tgrelid
WHERE NOT g.tgisinternal

UNION ALL
SELECT r.u, 'policy ' || r.qname || '.' || quote_ident(p.polname),
	concat_ws(' ', CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,
		'for ' || CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete' ELSE 'all' END,
		'to ' || (SELECT string_agg(CASE WHEN ro = 0 THEN 'public' ELSE quote_ident(pg_get_userbyid(ro)) END, ', ' ORDER BY 1) FROM unnest(p.polroles) ro),
		'using (' || pg_get_expr(p.polqual, p.polrelid) || ')',
		'with check (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')')
FROM pg_policy p JOIN rel r ON r.oid = p.polrelid

UNION ALL
SELECT r.u, 'rule ' || r.qname || '.' || quote_ident(w.rulename), pg_get_ruledef(w.oid)
FROM pg_rewrite w JOIN rel r ON r.oid = w.ev_class
WHERE w.rulename <> '_RETURN'

UNION ALL
SELECT 'g', 'statistics ' || format('%I.%I', ns.nspname, s.stxname), pg_get_statisticsobjdef(s.oid)
FROM pg_statistic_ext s JOIN ns ON ns.oid = s.stxnamespace

UNION ALL
SELECT 'g', 'publication ' || quote_ident(p.pubname),
	concat_ws(' ', CASE WHEN p.puballtables THEN 'for all tables' END,
		'publish ' || concat_ws(', ', CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
			CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END),
		CASE WHEN p.pubviaroot THEN 'via root' END)
FROM pg_publication p

UNION ALL
SELECT 'g', 'publication-table ' || quote_ident(p.pubname) || ' ' || pr.prrelid::regclass::text,
	concat_ws(' ', 'where (' || pg_get_expr(pr.prqual, pr.prrelid) || ')')
FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid

UNION ALL
SELECT 'g', 'publication-schema ' || quote_ident(p.pubname) || ' ' || quote_ident(n.nspname), ''
FROM pg_publication_namespace pn JOIN pg_publication p ON p.oid = pn.pnpubid JOIN pg_namespace n ON n.oid = pn.pnnspid

UNION ALL
SELECT 'g', 'event-trigger ' || quote_ident(e.evtname),
	concat_ws(' ', 'on ' || e.evtevent, 'execute ' || e.evtfoid::regproc::text,
		'when tag in (' || array_to_string(e.evttags, ', ') || ')', CASE e.evtenabled WHEN 'D' THEN 'disabled' END)
FROM pg_event_trigger e
WHERE NOT EXISTS (SELECT FROM extmember x WHERE x.classid = 'pg_event_trigger'::regclass AND x.objid = e.oid)

UNION ALL
-- Comments on relations, columns, functions, types and schemas, with their object's unit.
SELECT o.u, 'comment ' || o.k, c.description
FROM pg_description c
CROSS JOIN LATERAL (
	SELECT r.u, 'on ' || r.qname AS k FROM rel r WHERE c.classoid = 'pg_class'::regclass AND c.objsubid = 0 AND r.oid = c.objoid
	UNION ALL
	SELECT r.u, 'on column ' || r.qname || '.' || quote_ident(a.attname) FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = c.objsubid
	WHERE c.classoid = 'pg_class'::regclass AND c.objsubid > 0 AND r.oid = c.objoid
	UNION ALL
	SELECT f.u, 'on function ' || f.qname FROM fn f WHERE c.classoid = 'pg_proc'::regclass AND f.oid = c.objoid
	UNION ALL
	SELECT t.u, 'on type ' || t.qname FROM typ t WHERE c.classoid = 'pg_type'::regclass AND t.oid = c.objoid
	UNION ALL
	SELECT n.u, 'on schema ' || quote_ident(n.nspname) FROM nsel n WHERE c.classoid = 'pg_namespace'::regclass AND n.oid = c.objoid
) o
WHERE c.classoid IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass, 'pg_namespace'::regclass)
  -- Only objects made after initdb (FirstNormalObjectId) and the schemas (public is initdb's):
  -- the thousands of comments on built-in functions and types each cost the lateral a loop.
  AND (c.objoid >= 16384 OR c.classoid = 'pg_namespace'::regclass)
)
SELECT 'sig', un.u, un.sig, NULL FROM units un
UNION ALL
SELECT 'sel', s.u, NULL, NULL FROM sel s
UNION ALL
SELECT 'row', r.u, r.k, r.v FROM rows r
