// Package jobs holds what River stores for steady: its job arguments and queues. The catalogs
// the jobs act on are files (backfills/, indexes/ at the top of the repository, or the
// directories steady is configured with), read by package internal/catalogfiles.
//
// Job arguments never carry SQL: they name a catalog entry (a table, a backfill) or a run
// whose definition steady stored, and workers look the entry up and quote identifiers with
// pgx.Identifier. BackfillStartArgs is the contract for programs in any language that start a
// backfill by inserting a River job (docs/river-jobs.md).
package jobs
