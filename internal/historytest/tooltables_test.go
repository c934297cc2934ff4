package historytest

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash/crc32"
	"path"
	"strings"
)

// The history tables of the tools, as each creates its table and writes a row for a migration
// it applied (or that failed in it).

// golangMigrateTable is golang-migrate's postgres driver's table: one row, the last version.
const golangMigrateTable = `CREATE TABLE IF NOT EXISTS "schema_migrations" (version bigint not null primary key, dirty boolean not null);` + "\n"

func golangMigrateRow(f migrationFile, dirty bool) string {
	return fmt.Sprintf("INSERT INTO schema_migrations (version, dirty) VALUES (%s, %t);\n", f.version, dirty)
}

// gooseTable is goose's PostgreSQL version table (goose v3), with the row for version 0 goose
// writes when it creates the table.
const gooseTable = `CREATE TABLE goose_db_version (
	id serial NOT NULL,
	version_id bigint NOT NULL,
	is_applied boolean NOT NULL,
	tstamp timestamp NULL default now(),
	PRIMARY KEY(id)
);
INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);
`

func gooseRow(f migrationFile) string {
	return fmt.Sprintf("INSERT INTO goose_db_version (version_id, is_applied) VALUES (%s, true);\n", f.version)
}

// flywayTable is Flyway's schema history table on PostgreSQL.
const flywayTable = `CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
`

// flywayRow is the row Flyway writes for a versioned SQL migration: the description is the
// name with spaces, the checksum Flyway's (CRC-32 of the lines without their terminators).
func flywayRow(rank int, f migrationFile, success bool) string {
	return fmt.Sprintf(`INSERT INTO "public"."flyway_schema_history" (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (%d, '%s', '%s', 'SQL', '%s', %d, 'deploy', %d, %t);`+"\n",
		rank, f.recorded, sqlQuote(strings.ReplaceAll(f.name, "_", " ")), sqlQuote(f.file), flywayChecksum(f.text), 20+rank%7, success)
}

func flywayChecksum(text string) int32 {
	text = strings.TrimPrefix(text, "\uFEFF")
	text = strings.NewReplacer("\r\n", "", "\n", "", "\r", "").Replace(text)
	return int32(crc32.ChecksumIEEE([]byte(text)))
}

// dbmateTable is dbmate's table: the versions as the file names spell them.
const dbmateTable = "create table if not exists public.schema_migrations (version varchar(128) primary key);\n"

func dbmateRow(f migrationFile) string {
	return fmt.Sprintf("insert into public.schema_migrations (version) values ('%s');\n", f.recorded)
}

// prismaTable is Prisma Migrate's table on PostgreSQL (it checks for the table, then creates it).
const prismaTable = `CREATE TABLE "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);
`

// prismaRow is Prisma's row for a migration directory: the checksum is the SHA-256 of
// migration.sql; a finished migration has finished_at and one applied step, one that failed
// neither (and the error in logs).
func prismaRow(f migrationFile, finished bool) string {
	h := fmt.Sprintf("%x", md5.Sum([]byte(f.file))) // a version 4 UUID's form; Prisma's are random
	uuid := h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
	finishedAt, logs, steps := "now()", "NULL", 1
	if !finished {
		finishedAt, logs, steps = "NULL", "'Database error code: 42P07'", 0
	}
	return fmt.Sprintf(`INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count") VALUES ('%s', '%x', %s, '%s', %s, NULL, now(), %d);`+"\n",
		uuid, sha256.Sum256([]byte(f.text)), finishedAt, sqlQuote(path.Dir(f.file)), logs, steps)
}

// supabaseTable is the Supabase CLI's table, as it creates it and adds columns to it.
const supabaseTable = `CREATE SCHEMA IF NOT EXISTS supabase_migrations;
CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];
ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;
`

// supabaseRow records a migration with its version, name and statements.
func supabaseRow(f migrationFile) string {
	stmts := splitStatements(f.text)
	quoted := make([]string, len(stmts))
	for i, s := range stmts {
		quoted[i] = "'" + sqlQuote(s) + "'"
	}
	return fmt.Sprintf("INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES ('%s', '%s', ARRAY[%s]::text[]);\n",
		f.recorded, sqlQuote(f.name), strings.Join(quoted, ", "))
}

// sqlxTable is sqlx's table on PostgreSQL.
const sqlxTable = `CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
);
`

// sqlxRow is sqlx's row: the description is the name with spaces, the checksum the SHA-384
// of the file, the execution time in nanoseconds.
func sqlxRow(f migrationFile, success bool) string {
	return fmt.Sprintf("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (%s, '%s', %t, '\\x%x', %d);\n",
		f.version, sqlQuote(strings.ReplaceAll(f.name, "_", " ")), success, sha512.Sum384([]byte(f.text)), 1_500_000+len(f.text))
}

// dieselTable is diesel's table; a row holds the version without its dashes.
const dieselTable = `CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
       version VARCHAR(50) PRIMARY KEY NOT NULL,
       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
`

func dieselRow(f migrationFile) string {
	return fmt.Sprintf("INSERT INTO __diesel_schema_migrations (version) VALUES ('%s');\n", f.recorded)
}

func sqlQuote(s string) string { return strings.ReplaceAll(s, "'", "''") }
