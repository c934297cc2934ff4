// Package toolhistory reads and writes the history tables of the other migration tools:
// golang-migrate's and dbmate's schema_migrations, goose's goose_db_version, Flyway's
// flyway_schema_history, Prisma's _prisma_migrations, sqlx's _sqlx_migrations, diesel's
// __diesel_schema_migrations, the Supabase CLI's supabase_migrations.schema_migrations, and
// the Python migration runner's schema_migrations. It is the one place steady touches them.
//
// Reading (Queue) is evidence for adopting a database: what a tool records counts as run. A
// table is looked for in every schema (public first), since a tool makes it in whichever schema
// its connection's search_path named first, and is read schema-qualified. A record of a run
// that did not finish (golang-migrate's dirty flag, a Flyway or sqlx row with success = false,
// a Prisma migration never finished or rolled back) is an *UnfinishedError: steady refuses to
// guess what a half-run migration left, and writes nothing.
//
// Writing (Write) makes a table as its tool makes it, for steady history verify.
package toolhistory
