// Package migrate brings a database to the current schema from any point of its history,
// without ever running a statement twice or failing on "already exists".
//
// Files are read by package migfiles, in the format of the tool a team uses (steady,
// golang-migrate, goose, Flyway, dbmate, Prisma, the Supabase CLI, sqlx, diesel), and other
// tools' history tables by package toolhistory. Where no history says which files ran, steady
// asks PostgreSQL: the files are replayed on a shadow database (package shadow; replay.go) and
// the schema after each, as PostgreSQL prints it (catalog.State), is compared with the live
// one (exact.go). Without a shadow, each statement parsed with the PostgreSQL parser (package
// fingerprint) gives its effects on the catalog, so the files alone give the state every
// prefix leaves each object in (the derived model, state_model.go). The plan (plan.go):
//
//  1. Find the prefix the database has lived through: at least as far as steady's history or
//     another tool's (package toolhistory) records; beyond that, the prefix whose state the catalog
//     snapshot matches best, the longest of equals whose last migration shows positive evidence.
//  2. Inside the prefix: recorded → verify (drift is reported, never repaired silently); not
//     recorded → reconcile with evidence (present, recorded by another tool, or inferred from a
//     later migration), run whole when nothing of it is in place, repair only its missing
//     creations when that is safe, otherwise report it partial.
//  3. After the prefix: run each file whole, in a transaction unless it must not be in one;
//     only statements whose every effect already exists exactly are skipped.
//
// Rules:
//   - Another tool's history that records a failure (golang-migrate dirty, Flyway success =
//     false) is refused before anything is written: *toolhistory.UnfinishedError.
//   - A data statement (UPDATE, DELETE, INSERT, DO, COPY) runs only as part of a migration found
//     not to have run. The catalog cannot tell whether a trailing data-only migration ran when no
//     history says so; the rule then runs it (docs/migrations.md, "Rules the judges share").
//   - When the plan shows nothing to do, nothing is locked and nothing is written: a snapshot
//     and one batch (history, River's versions) are all a no-op run sends.
//   - Otherwise a lease row (steady_migration_lease, package bookkeeping) serialises runners. It works through a
//     transaction pooler, where session advisory locks do not (PgBouncer hands the lock's server
//     connection to other clients), expires unless refreshed (a runner killed with -9 blocks the
//     next for at most the TTL), and is released at the end. Each migration's transaction also
//     takes a transaction-scoped lock on the migration and checks the history before its
//     statements: a second runner waits for the first's transaction and then stops before any
//     statement, so a migration runs once even if the lease was lost. The history row is the
//     last statement, since a migration may read a table of that name (another tool's). A
//     migration in a transaction costs two round trips (lock, check, statements and row
//     pipelined; then COMMIT, never sent before the statements' results are back).
//   - DDL runs with SET LOCAL lock_timeout; a lock timeout (55P03) rolls back and retries with
//     backoff and jitter a bounded number of times; the final error names file, line and
//     statement. Reconciled migrations are recorded in one statement, whatever their number.
//   - River's schema is migrated with rivermigrate's Migrate (not MigrateTx, which fails on a
//     fresh schema with 55P04) under the same lease.
//   - A failed migration stops the run (later ones may depend on it), is logged, returned, and
//     recorded in steady_migration_failures. What the caller does with it is its policy.
//   - steady's own tables (package bookkeeping) are brought to this steady's version once the
//     plan has not refused the database; the no-op check asks whether they are current in its
//     one round trip. schema_migrations, River's tables and steady's are in Config.Tables'
//     schema; other tools' history tables are read where those tools put them (public).
package migrate
