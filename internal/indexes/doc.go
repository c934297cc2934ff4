// Package indexes is the index engine. It owns the catalog's types ([Index], [Catalog]; the
// product's entries are data in package jobs), classifies each index once ([Status]: valid,
// invalid, missing, building, different, stalled) for steady indexes status, for enqueuing and
// for the builder, reads the builds' progress (pg_stat_progress_create_index), enqueues
// builds ([Enqueue], through [Jobs]), keeps the build window ([Window]) and builds a table's
// catalog indexes through a transaction pooler ([Builder]), healing what failed builds leave
// behind. Package indexdef parses and compares definitions.
//
// The River worker (package workers) runs one [Builder.Build] per table; tables build in
// parallel, a table's indexes one after the other: two builds on one table would serialize on
// its lock and hold a worker each. When a statement is due and the catalog shows a build
// running on the table anyway (a manual build, or a killed attempt's backend), Build returns a
// [*BusyError] and the job waits; an index already in place needs no statement and is done.
//
// # One index
//
// Before every statement Build reads the index's state from the catalog (never IF NOT EXISTS:
// an INVALID index satisfies it) and does the next step:
//
//   - valid, ready and the catalog's definition (compared by package indexdef): done;
//   - missing: CREATE INDEX CONCURRENTLY;
//   - INVALID or not ready (a failed or cancelled build): DROP INDEX CONCURRENTLY, then create.
//     Not REINDEX INDEX CONCURRENTLY: drop and create costs the same build, always yields the
//     catalog's definition, and leaves at most one INVALID index under the catalog's own name
//     when it fails again, where a failed REINDEX leaves a second one (name_ccnew) to find;
//   - valid with another definition: never kept. The catalog's index is built concurrently as
//     name_steady_new, the old one dropped concurrently, the new one renamed. Each step is read
//     back from the catalog, so a retry after a crash at any point finishes the swap; the old
//     index serves queries until its replacement is valid.
//
// A build that reads back different from the catalog entry it was made from stops with
// [ErrPermanent] instead of replacing its own index forever.
//
// # Through the pooler
//
// Each statement runs alone, outside a transaction, without arguments, in the simple protocol,
// on the POOLER pool: the only way CONCURRENTLY passes a transaction pooler. The concurrent
// statements cannot carry a lock_timeout there (SET LOCAL needs a transaction, a session SET
// leaks to other clients); they take SHARE UPDATE EXCLUSIVE, which blocks no reads
// or writes, so their waits never queue the application. The rename, which does block, runs in
// a transaction with SET LOCAL lock_timeout; a lock timeout there is retried with backoff.
//
// # Failures
//
// Build logs what went wrong and what to do about it, without row values: a build cancelled
// by a server, database or role statement_timeout or lock_timeout (with what set it and the
// statement that lifts it for steady's role, package tuning's Origin), a unique
// index over duplicate rows (with the query that finds them), an attempt cut short by its
// timeout. The next attempt heals the INVALID index each of them leaves.
package indexes
