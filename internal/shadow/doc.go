// Package shadow gives steady a shadow database: an empty database on the same server where
// a migration history is replayed, so that PostgreSQL itself computes the schema each prefix
// of the history leaves. Prisma's shadowDatabaseUrl and Atlas's dev database do the same; a
// model derived from the SQL text keeps meeting rules of PostgreSQL it does not know
// (conditional DDL in DO blocks, constraints PostgreSQL never creates, expressions it stores
// rewritten), and the shadow knows them all.
//
// Two places, in this order:
//
//   - an existing database named by --shadow-url (STEADY_SHADOW_URL), which steady empties
//     before each use: every schema but the system ones is dropped with what it holds, and
//     every publication; public is made again. It must not be the database being migrated,
//     and must not hold steady's or River's tables: Open refuses both;
//   - otherwise a database steady creates (CREATE DATABASE … TEMPLATE template0, which needs
//     the CREATEDB privilege) and drops when done (DROP DATABASE … WITH (FORCE): through
//     PgBouncer its server connections to the shadow outlive the session). It is made through
//     the migration role's pool, DIRECT or POOLER; through PgBouncer the new database is
//     reachable only when PgBouncer's [databases] has a wildcard entry (* = …).
//
// Failure behaviour: Open returns an error naming the place it tried and why; the caller
// falls back to its derived model and says so. A process killed while it holds a shadow
// database leaves it behind, named steady_shadow_<hex>; drop it by hand.
package shadow
