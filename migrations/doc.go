// Package migrations holds steady's shipped schema: the product schema of the system steady
// reimplements (business, leads, calls, WhatsApp, Gmail, contracts, broadcasts, appointments…),
// one plain PostgreSQL 15 DDL file per migration, embedded in the binary as [FS].
//
// # Files
//
// Each file is named NNNN_snake_name.sql: a 4-digit version, contiguous from 0001, and a
// lower-case name (the Python migration runner's fingerprint names where they exist, e.g.
// 0001_core_tables_business.sql). Adding a migration is adding the next file; a file that has
// shipped is never edited, because its checksum is recorded in schema_migrations. Each file starts
// with a short "--" comment saying what it is for. Statements end with ";". Index builds that
// are not needed for correctness do not belong here (they are built CONCURRENTLY from the index
// catalog), nor do backfills of large tables (the backfill catalog runs them in batches).
//
// The engine parses every statement with the PostgreSQL parser and derives what it leaves in
// the catalog (a table, a column, a named constraint, an enum label…), so a migration that has
// already taken effect is recognised and reconciled instead of failing with "already exists".
// Constraints are therefore always named.
//
// # Directives
//
// Directives are SQL line comments, each on its own line:
//
//	-- steady:no-transaction
//
// anywhere in a file runs that file outside a transaction (only for statements PostgreSQL
// refuses inside one). No shipped migration needs it.
//
//	-- steady:fingerprint <kind> <name> [absent]
//
// on the line(s) immediately before a statement declares its effect when the SQL says nothing
// the catalog can check (INSERT, UPDATE, COMMENT, DO …). kind is one of schema, extension,
// table, column, constraint, index, type, enum_value, function, trigger, view, sequence. name is
// an object name, optionally schema-qualified ("business", "public.business"); columns,
// constraints and triggers are named table.name ("leads.phone_whatsapp",
// "leads.leads_status_check"), enum values type.label ("call_direction.missed"). absent means the
// statement's effect is that the object does not exist.
//
//	-- steady:allow <rule> <reason>
//
// on the line(s) before a statement accepts a finding of `steady lint` on it, for the reason
// given (required). Such lines are left out of the file's checksum, so allowing a finding in a
// migration a database has recorded does not make it checksum_changed.
package migrations
