// Package bookkeeping owns steady's own tables: where they live (Schema, which River's tables
// share) and one versioned set of migrations that makes and changes them (Tables.Ensure).
//
// The set is numbered SQL files embedded in the binary (migrations/NNNN_name.sql), applied in
// order, in one transaction that also records them in steady_schema_versions, under the lease
// the user migrations use (steady_migration_lease). A process applies it once, at its
// first need: when the set is current that costs one statement and writes nothing. The first
// version takes over the tables earlier releases created on their own, in whatever shape they
// left them, so an existing database upgrades in place.
//
// Through a transaction pooler search_path cannot be set for a session, so every statement
// names its schema: Schema.Table quotes a table's name, Schema.SQL qualifies the tables a
// statement of steady's names.
//
// schema_migrations, the history of the user migrations, keeps the name the Python migration
// runner gave it and is made by package migrate, which adopts other tools' tables of that name;
// it lives in the same schema.
package bookkeeping
