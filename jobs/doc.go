// Package jobs holds what a user edits and what River stores: steady's River job arguments and
// the catalogs they act on, the index builds (indexes.go) and the backfills (backfills.go) the
// CRM product needs, with their default schedules. Catalogs are data written with the engines'
// types (internal/indexes, internal/backfills): adding an index or a backfill is one entry in
// one file, and no engine changes for that.
//
// Job arguments never carry SQL: they name a catalog entry (a table, a backfill), and workers
// look the entry up and quote identifiers with pgx.Identifier.
package jobs
