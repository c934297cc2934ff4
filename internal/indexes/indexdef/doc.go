// Package indexdef parses index definitions with PostgreSQL's own parser (pg_query_go), renders
// the CREATE INDEX CONCURRENTLY statement that builds one, and tells whether an index in the
// database, as pg_get_indexdef prints it, is the one a definition asks for.
//
// # Definitions
//
// A definition is one plain CREATE INDEX statement with a name and an unqualified table:
//
//	CREATE UNIQUE INDEX messages_provider_message_id_idx ON messages (channel, provider_message_id)
//	    WHERE provider_message_id IS NOT NULL
//
// CONCURRENTLY is refused (the builder adds it: written by hand it would also be run by hand,
// in a transaction, where it fails), and so is IF NOT EXISTS: it is never the check, since an
// INVALID index left by a failed concurrent build satisfies it.
//
// # Comparing with the database
//
// [Def.Same] parses pg_get_indexdef's text and compares both trees after normalising what the
// server adds or spells differently and what does not change the index: the index name, the
// schema, USING btree, ASC and the default NULLS order, the casts it writes around constants
// ('pending'::text), x IN (…) printed as x = ANY (ARRAY[…]), and the spelling of WITH options.
// What remains (columns, order, expressions, predicate, INCLUDE, UNIQUE, NULLS NOT DISTINCT,
// access method, options) must be equal. A normalisation that misses a spelling makes an index
// look different, never the same, so a wrong index is never kept; the shipped catalog is tested
// to round-trip through a real server.
package indexdef
