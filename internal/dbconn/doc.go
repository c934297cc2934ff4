// Package dbconn picks steady's database connections once and sticks to them.
//
// steady talks to PostgreSQL through two roles. POOLER (DATABASE_URL_POOLER) carries index
// builds, backfills and River, always. DIRECT (DATABASE_URL_DIRECT) is tried once, at the start
// of a process that migrates, with a real connection and one round trip bounded by
// Config.DirectTimeout (5 s by default). If it answers, migrations use DIRECT for the rest of the
// process; if anything fails (refused, timeout, authentication, DNS, TLS), migrations use POOLER
// for the rest of the process. The decision is logged once:
//
//	✅ Using DIRECT
//	✅ Using POOLER (DIRECT unavailable - locked)
//
// A DIRECT that answers but cannot write (a hot standby, pg_is_in_recovery(); read-only
// sessions, default_transaction_read_only or transaction_read_only) is no place to migrate:
// migrations use POOLER, and the decision line's reason says why.
//
// Before anything is written, a process that migrates checks what each role reaches (Identity):
// the server (its postmaster's start time and port) and the database (name and oid). When
// migrations use DIRECT and it reaches another database than POOLER, or when POOLER cannot
// write, Open (or, deferred, Preflight.Check) returns a *RefusedError and logs no decision;
// commands exit 2. The check costs no round trip of its own: the probe's one round trip reads
// DIRECT's identity, and the POOLER's is read by pool-mode detection's first query, or (a
// process that does not detect) by one query that runs alongside the probe on the connection
// migrations through POOLER would use.
// With no DIRECT to probe, a caller may take that query into its own first round trip
// (OpenOpts.DeferIdentity, Pools.Preflight): migrate and status do, so that a no-op deploy
// through the POOLER alone is one round trip after the connection.
//
// Rules:
//   - The probe runs at most once per Resolver; asking again returns the locked decision without
//     touching the network. Open builds one pool per role, once; nothing else opens connections.
//   - Every pool uses pgx.QueryExecModeExec, which leaves no named prepared statement on a server
//     connection that another client would inherit (PgBouncer 1.18 + pgx 5: the default cached
//     statements failed 712 of 1000 queries with 42P05/26000). Long-running processes also
//     detect each pool's mode from positive evidence only (two client connections sharing one
//     server backend mean a transaction pooler; every sign of a direct server means direct;
//     anything else is taken as transaction, never session). Config.PoolerMode (auto,
//     transaction, session) overrides it for the POOLER; the mode in force decides whether
//     River may LISTEN and whether a session of steady's own may carry a SET.
//   - Every connection counts while it may carry a cancel request (pgx sends one when a
//     statement's context ends), and a process calls WaitForCancels before it exits: PgBouncer
//     1.18.0 crashes when a cancel request's client goes away before it was forwarded. The
//     POOLER pool of everyday statements (Pools.Pooler) sends none at all, for a process
//     killed with -9; index builds, migrations through POOLER and demo-data use Pools.Long,
//     which does.
//   - Every URL and error that leaves this package is redacted (package redact).
package dbconn
