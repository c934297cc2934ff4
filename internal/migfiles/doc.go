// Package migfiles reads migration files in the format of the tool a team already uses:
// steady's own, golang-migrate, goose, Flyway, dbmate, Prisma, the Supabase CLI, sqlx and
// diesel. It knows each tool's layout (files, or Prisma's and diesel's directories), names and
// versions and their order, the sections that run (goose's Up, dbmate's up), and its
// transaction rules (goose's NO TRANSACTION, dbmate's transaction:false, sqlx's
// -- no-transaction, diesel's run_in_transaction = false, a statement that refuses a
// transaction block, a file's own BEGIN and COMMIT). Run runs a parsed file as its tool would.
//
// Rules:
//   - A directory holds one format. A file or directory no format accepts, two files of one
//     version, or a directory with no migration is an error naming what was found
//     (IsBadInput): a directory steady cannot read is never an empty history.
//   - List reads names only; Read reads the files (in parallel) and their checksums; Parse
//     parses them with the PostgreSQL parser (package fingerprint), also in parallel.
package migfiles
