// Package historytest proves steady's migration engine on long histories written for this
// project in other tools' formats (testdata/: shop in golang-migrate's, saas in goose's,
// billing in Flyway's, blog in dbmate's, clinic in Prisma's, journal in the Supabase CLI's,
// ledger in sqlx's, forum in diesel's), and on any directory named from outside the
// repository. It holds only tests.
//
// What it proves, for every history and every prefix k tried (files 1..k applied the way the
// history's tool applies them, by a team that never used steady), everything through PgBouncer
// in transaction mode:
//
//   - In each of three cases (no history table; the history table of the history's tool, exactly
//     as that tool creates and fills it; the same table with one applied version's row deleted),
//     `steady migrate --strict --migrations-dir DIR` exits 0.
//   - The database then has the schema the tool makes of the whole history: pg_dump
//     --schema-only of both, grants included, leaving out steady's tables, River's objects and
//     the tools' history tables.
//   - Every data statement of the history ran exactly once over the database's life. Each one
//     writes a row to the history's canary table, so a statement run twice counts 2 (checked
//     when the history has a canary table: the own histories all do).
//   - A second run applies nothing.
//   - A golang-migrate table with a dirty version, a Flyway or sqlx row with success = false,
//     or a Prisma row neither finished nor rolled back makes steady exit non-zero naming the
//     version, and write nothing.
//
// Each case is judged twice: by steady's default, the exact states of a shadow database that
// steady creates through PgBouncer (whose test configuration has a wildcard database entry),
// and by the model derived from the SQL text (--shadow off). A history whose platform provides
// objects before the first migration (Supabase's auth schema and roles) has a setup file,
// testdata/NAME.setup.sql, applied to every database before file 1 (directly: a platform's own
// provisioning) and given to steady as --shadow-setup.
//
// How each tool sends a file, as this package applies it: golang-migrate, Prisma and the
// Supabase CLI send the whole file as one simple-protocol query (one implicit transaction;
// the file's own BEGIN/COMMIT work inside it); sqlx and diesel send BEGIN, the file as one
// query, COMMIT (no BEGIN/COMMIT for sqlx's -- no-transaction and diesel's
// run_in_transaction = false); dbmate sends the up section as one query in a transaction unless
// transaction:false; goose sends the Up section's statements one by one as goose splits them,
// in one transaction unless NO TRANSACTION; Flyway's and steady's files go through psql,
// statement by statement, in one transaction unless the file holds CONCURRENTLY (or
// -- steady:no-transaction). A file with its own BEGIN/COMMIT is never wrapped by the
// statement-by-statement appliers. The package reads the directories with its own small
// splitter, never with the engine's loader: what the tool applies must not depend on the code
// under test.
//
// A prefix that ends in a data-only file that no history row records is counted apart in the
// summary: the catalog cannot show whether that file ran, and steady's rule (such a file counts
// as run only when a later migration is present) runs it again; the test checks that plan.
//
// `go test` (and `make test`) tries a fixed sample: in the no-history case judged by the shadow,
// the points of samplePrefixes (about eleven per history); in the other two cases with the
// shadow, and in the no-history case with the derived model, the three of casePrefixes.
// `make test-histories` tries every prefix in every case with both judges and logs one line per
// history, case and judge, then one line per prefix that did not converge with the first lines
// of steady's error or of the schema diff:
//
//	history shop (golang-migrate), case tool-history, judge shadow: converged 39 of 39 prefixes
//
// `make test-histories DIR=/path FORMAT=prisma [SETUP=file.sql] [ARGS='--schema steady']` does
// the same for one directory from anywhere (STEADY_HISTORY_DIR, _FORMAT, _SETUP, _ARGS);
// STEADY_HISTORY_PREFIXES (sample, all, or a list such as 0,10,40,n) and STEADY_HISTORY_JUDGES
// (sample, all, shadow, derived) narrow any sweep.
package historytest
