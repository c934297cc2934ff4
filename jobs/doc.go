// Package jobs holds steady's River job arguments and the catalogs they act on: the index
// builds and the backfills the CRM product needs. Catalogs are data: adding an index or a
// backfill is one entry in one file, and the engine never changes for that.
//
// Job arguments never carry SQL: they name a catalog entry (a table, a backfill), and workers
// look the entry up and quote identifiers with pgx.Identifier.
package jobs
