// Package fingerprint reads a migration file with the real PostgreSQL parser
// (pganalyze/pg_query_go) and derives, for each statement, what it leaves in the catalog: its
// fingerprint. The migration engine compares fingerprints with one catalog snapshot to tell
// whether a migration that schema_migrations does not record has already taken effect, fully
// or in part, so that it runs only what is missing and never fails on "already exists".
//
// # Statements
//
// [Parse] splits a file into its top-level statements and keeps each one's text (comments
// around it left out) and the line of its first keyword. An ALTER TABLE with several
// sub-commands becomes one statement per sub-command, deparsed back to SQL by the parser's own
// deparser, so that the engine can run only the sub-commands whose effects are missing.
//
// # Effects
//
// Each statement has a list of effects; the first is its primary effect, whose truth decides
// whether the statement must run. Unqualified names resolve to schema public; names are as
// PostgreSQL folds them.
//
//   - CREATE SCHEMA, CREATE EXTENSION: the schema, the extension.
//   - CREATE TABLE: the table; each column with its type, NOT NULL (NOT NULL, PRIMARY KEY,
//     identity, serial) and whether it has a default (DEFAULT, serial, generated); each PRIMARY
//     KEY, UNIQUE, FOREIGN KEY, CHECK and EXCLUDE constraint under its name or the name
//     PostgreSQL gives it (<table>_pkey, <table>_<cols>_key, <table>_<cols>_fkey,
//     <table>_<col>_check), always validated (CREATE TABLE ignores NOT VALID). A CHECK that
//     references no column or several gets no default name: PostgreSQL names it <table>_check
//     with a counter only the database knows.
//   - ALTER TABLE sub-commands: ADD COLUMN (as in CREATE TABLE), DROP COLUMN (absent), ALTER
//     COLUMN TYPE, SET/DROP NOT NULL, SET/DROP DEFAULT (attribute changes: Effect.Alter), ADD
//     CONSTRAINT (validated unless NOT VALID; unnamed ones as above, ADD … USING INDEX takes the
//     index's name), VALIDATE CONSTRAINT, DROP CONSTRAINT. Other sub-commands: none.
//   - RENAME of a table, column, constraint, index, type or domain, view, trigger, sequence,
//     function or schema, and ALTER TYPE … RENAME VALUE: the new name, then the old one absent.
//   - CREATE INDEX: the index (under its given or default name, <table>_<cols>_idx). CREATE
//     INDEX CONCURRENTLY gives none: a failed build leaves an INVALID index behind.
//   - DROP of tables, views, indexes, sequences, types, domains, functions, procedures,
//     triggers, schemas, extensions: each object absent.
//   - CREATE TYPE … AS ENUM: the type, then each label; ALTER TYPE … ADD VALUE: the label.
//     Composite, range and base types and domains: the type.
//   - CREATE FUNCTION / PROCEDURE, CREATE TRIGGER, CREATE VIEW, CREATE MATERIALIZED VIEW,
//     CREATE TABLE AS, CREATE SEQUENCE: the object. With OR REPLACE, Statement.Replaces is set:
//     existence does not prove the definition is this one.
//   - Temporary objects and everything else (INSERT, UPDATE, DELETE, GRANT, COMMENT, DO, SET,
//     SELECT …): none. Such a statement is unverifiable unless a directive says what it does.
//
// Column types are spelled as format_type() prints them ("integer", "character varying(255)",
// "timestamp(3) with time zone", "text[]", a public enum by its bare name), because the
// catalog snapshot compares strings.
//
// # Directives
//
// Directives are SQL line comments, each on a line of its own:
//
//	-- steady:no-transaction
//
// anywhere in the file sets [Migration.NoTransaction].
//
//	-- steady:fingerprint <kind> <name> [absent]
//
// on the lines just before a statement (blank lines and other comments may sit between)
// replaces the effects derived for that statement; several such lines give several effects,
// the first one primary, and [Statement.Explicit] is set. Such a statement is never split.
// kind is one of schema, extension, table, column, constraint, index, type, enum_value,
// function, trigger, view, sequence. name is "name" for schemas and extensions; "name" or
// "schema.name" for tables, types, functions, views, sequences and indexes; "table.name" or
// "schema.table.name" for columns, constraints and triggers; "type.label" or
// "schema.type.label" for enum values. Unquoted identifiers fold to lower case; "quoted" ones
// and enum labels are kept as written. absent means the object must not exist.
//
//	-- steady:allow <rule> <reason>
//
// on the lines just before a statement records, in [Statement.Allows], that the migration's
// author accepts a finding of the lint rule named (one of [LintRules]) on that statement, for
// the reason given. The reason is required. The lint reports such a finding as allowed, with
// the reason. [WithoutAllows] leaves these lines out of a file's checksum.
//
// # Errors
//
// SQL that does not parse gives a [*ParseError] with the parser's message and the line of the
// error. So do an unknown steady: directive, an unknown kind, a malformed name, an allow
// directive naming an unknown rule or giving no reason, and a fingerprint or allow directive
// that no statement follows or that sits inside a statement: a directive that would be
// silently ignored is a bug in the migration.
package fingerprint
