// Package catalog reads one snapshot of a database's catalog and answers, without further
// queries, whether a migration's effects (see package fingerprint) are in place.
//
// # A snapshot
//
// [Read] runs one SQL statement that returns one row: a JSON array per kind of object
// (schemas, extensions, relations, columns, constraints, indexes, types, enum values,
// functions, triggers), read from pg_catalog only. The [Snapshot] keeps them in maps keyed by
// schema, table and name, so [Snapshot.Check] is a map lookup however large the database is
// and however many migrations are planned against it. A snapshot is immutable: after DDL, read
// a new one.
//
// # One round trip
//
// steady plans every migration against the catalog before it takes a lock, and re-plans after
// taking it. Through PgBouncer every round trip pays the pooler's latency, and a
// query per migration per object would multiply it by thousands. One statement also means one
// MVCC snapshot: all parts agree with each other without a REPEATABLE READ transaction. The
// statement locks no user relation (index and table sizes come from pg_class.relpages and
// reltuples, not pg_relation_size, which locks each relation), so it never queues behind a
// migration's DDL.
//
// Read works on a *pgx.Conn, a *pgxpool.Pool or a pgx.Tx. Through a transaction pooler the
// connection must use pgx.QueryExecModeExec or pgx.QueryExecModeSimpleProtocol (prepared
// statements fail there: docs/architecture.md, "Prepared statements through a pooler");
// then Read is exactly one network round trip (pgx's default mode, measured, spends a second
// one preparing the statement the first time).
//
// # Scope
//
// A snapshot sees every schema except pg_catalog, information_schema, pg_toast and the
// temporary schemas (pg_temp_*, pg_toast_temp_*). Extensions are seen wherever they are
// installed, and their objects like any other.
//
// # Type spelling
//
// Column types are compared as strings, spelled by format_type(atttypid, atttypmod), which
// qualifies a type by whether the session's search_path makes it visible. A session through a
// pooler cannot pin its search_path in one round trip (startup parameters are refused and a
// session SET leaks to other clients), so the snapshot query fixes the spelling itself: a type
// whose base type (the element type, for arrays) lives in pg_catalog or public is unqualified
// ("character varying(32)", "timestamp with time zone", "mood[]"); any other is
// schema-qualified ("app.status", "extensions.citext[]"). [Snapshot.Check] drops a leading
// "public." or "pg_catalog." from the wanted type before it compares. Evidence that comes from
// pg_get_indexdef, pg_get_constraintdef and function arguments is shown, never compared.
//
// # Results
//
// For an effect that creates an object, existence decides and differing attributes are
// reported as drift; for an effect that alters one, the attributes decide; for an effect that
// drops or renames one away, absence decides. An index left INVALID by a failed CREATE INDEX
// CONCURRENTLY exists (a second CREATE INDEX IF NOT EXISTS does nothing), so it
// holds for a create effect with the drift "index is INVALID": heal it from [Snapshot.Index].
// When a missing object's name is held by an object of another kind (a view where a table is
// wanted, a table's row type where a type is wanted), [Result.Conflict] names the holder:
// creating the object would fail with "already exists", IF NOT EXISTS or not.
package catalog
