// Package historytest proves steady's migration engine on long histories written for this
// project in other tools' formats (testdata/: shop in golang-migrate's, saas in goose's,
// billing in Flyway's, blog in dbmate's). It holds only tests.
//
// What it proves, for every history and every prefix k tried (files 1..k applied by psql, the
// way a team that never used steady got there), everything through PgBouncer in transaction
// mode:
//
//   - In each of three cases (no history table; the history table of the history's tool, exactly
//     as that tool writes it; the same table with one applied version's row deleted),
//     `steady migrate --strict --migrations-dir DIR` exits 0.
//   - The database then has the schema psql makes of the whole history: pg_dump --schema-only
//     of both, leaving out steady's tables, River's objects and the tools' history tables.
//   - Every data statement of the history ran exactly once over the database's life. Each one
//     writes a row to the history's canary table, so a statement run twice counts 2.
//   - A second run applies nothing.
//   - A golang-migrate table with a dirty version, or a Flyway row with success = false, makes
//     steady exit non-zero naming the version, and write nothing.
//
// The test reads the directories with its own small splitter (format from file names and
// markers, Up sections, no-transaction files), never with the engine's loader: what psql
// applies must not depend on the code under test.
//
// A prefix that ends in a data-only file that no history row records is counted apart in the
// summary: the catalog cannot show whether that file ran, and steady's rule (such a file counts
// as run only when a later migration is present) runs it again.
//
// `make test` tries a fixed sample of prefixes per history (see samplePrefixes);
// `make test-histories` tries every prefix (STEADY_HISTORY_PREFIXES=all) and logs one line per
// history and case: "history shop (golang-migrate), case tool-history: converged 39 of 39
// prefixes".
package historytest
