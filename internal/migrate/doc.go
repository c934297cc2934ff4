// Package migrate brings a database to the current schema without ever failing on "already
// exists": the database itself says what has run.
//
// Each migration's fingerprint is derived from its SQL by the PostgreSQL parser (package
// fingerprint) and checked against one catalog snapshot (package catalog). Per migration:
//
//  1. recorded in schema_migrations → skip; verify its effects and report missing ones as drift;
//     a changed checksum is reported, never re-run;
//  2. not recorded, every statement's effect present → record as reconciled with evidence, run
//     nothing;
//  3. not recorded, nothing present → run it in a transaction (unless the file says
//     "-- steady:no-transaction"), check that its fingerprint now holds, record it;
//  4. not recorded, some present (partial) → run only the statements whose effect is missing.
//
// Rules:
//   - Statements the catalog cannot verify (INSERT, UPDATE, COMMENT, DO …) without a
//     steady:fingerprint directive do not decide anything. In a partial migration they run again,
//     so they must be rerunnable (UPDATE … WHERE guarded, INSERT … ON CONFLICT DO NOTHING); a
//     migration made only of them runs when it is not recorded.
//   - The plan is made in order over the snapshot plus what the plan itself runs before (an
//     overlay), so a later migration sees an earlier one's effects. An effect that a later
//     statement undoes (DROP, RENAME away, DROP TABLE of its table) is superseded: it decides
//     nothing and is not re-created by a partial run; attributes that a later statement alters
//     are not compared.
//   - CREATE OR REPLACE is checked for existence only: a migration that only redefines an
//     existing function or view is reconciled, not re-run.
//   - When the plan shows nothing to do, nothing is locked and nothing is written: a snapshot
//     and one batch (history, River's versions) are all a no-op run sends.
//   - Otherwise a lease row (steady_migration_lease) serialises runners. It works through a
//     transaction pooler, where session advisory locks do not (DESIGN §3.4), expires unless
//     refreshed (a runner killed with -9 blocks the next for at most the TTL), and is released
//     at the end. Each migration's transaction also takes pg_advisory_xact_lock and re-checks
//     the history, so a migration runs once even if the lease was lost.
//   - DDL runs with SET LOCAL lock_timeout; a lock timeout (55P03) rolls back and retries with
//     backoff and jitter a bounded number of times; the final error names file, line and
//     statement. Reconciled migrations are recorded in one statement, whatever their number.
//   - River's schema is migrated with rivermigrate's Migrate (not MigrateTx, which fails on a
//     fresh schema, DESIGN §3.5) under the same lease.
//   - A failed migration stops the run (later ones may depend on it), is logged, returned, and
//     recorded in schema_migrations_failures. What the caller does with it is its policy.
package migrate
