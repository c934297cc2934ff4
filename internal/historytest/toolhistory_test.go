package historytest

import (
	"fmt"
	"hash/crc32"
	"strings"
)

// historyCase is what a database at prefix k holds besides the schema psql made.
type historyCase struct {
	test    string // subtest name
	summary string // as the summary line names it
	table   bool   // the tool's history table is there
	corrupt bool   // with one applied version's row deleted
}

var historyCases = []historyCase{
	{test: "NoHistory", summary: "no-history"},
	{test: "ToolHistory", summary: "tool-history", table: true},
	{test: "CorruptHistory", summary: "corrupted-history", table: true, corrupt: true},
}

// lostRow is the index (into files 1..k) of the row a corrupted history lacks: the last
// applied version's when k is odd, a middle one's (file k/2) when k is even. At k = 0 no version
// was applied and nothing is lost: the case is the tool's empty table.
func lostRow(k int) int {
	switch {
	case k == 0:
		return -1
	case k%2 == 1:
		return k - 1
	default:
		return k/2 - 1
	}
}

// toolHistorySQL creates the history table of h's tool as that tool creates and fills it after
// applying files 1..k. For a corrupted history one row is left out; golang-migrate keeps only
// one row (the last version), so its corrupted table is empty.
func toolHistorySQL(h *history, k int, c historyCase) string {
	if !c.table {
		return ""
	}
	lost := -1
	if c.corrupt {
		lost = lostRow(k)
	}
	applied := h.files[:k]
	var b strings.Builder
	switch h.format {
	case golangMigrate:
		b.WriteString(`CREATE TABLE IF NOT EXISTS "schema_migrations" (version bigint not null primary key, dirty boolean not null);` + "\n")
		if k > 0 && lost < 0 {
			fmt.Fprintf(&b, "INSERT INTO schema_migrations (version, dirty) VALUES (%s, false);\n", applied[k-1].version)
		}
	case goose:
		b.WriteString(gooseTable)
		b.WriteString("INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);\n")
		for i, f := range applied {
			if i != lost {
				fmt.Fprintf(&b, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (%s, true);\n", f.version)
			}
		}
	case flyway:
		b.WriteString(flywayTable)
		for i, f := range applied {
			if i != lost {
				b.WriteString(flywayRow(i+1, f, true))
			}
		}
	case dbmate:
		b.WriteString("create table if not exists public.schema_migrations (version varchar(128) primary key);\n")
		for i, f := range applied {
			if i != lost {
				fmt.Fprintf(&b, "insert into public.schema_migrations (version) values ('%s');\n", f.version)
			}
		}
	}
	return b.String()
}

// unfinishedHistorySQL is the tool's table after a run that stopped in file k (1-based): for
// golang-migrate the version marked dirty, for Flyway a row with success = false after the
// successful ones. ok is false for tools that record no unfinished migration.
func unfinishedHistorySQL(h *history, k int) (sql string, ok bool) {
	f := h.files[k-1]
	switch h.format {
	case golangMigrate:
		return `CREATE TABLE IF NOT EXISTS "schema_migrations" (version bigint not null primary key, dirty boolean not null);` + "\n" +
			fmt.Sprintf("INSERT INTO schema_migrations (version, dirty) VALUES (%s, true);\n", f.version), true
	case flyway:
		var b strings.Builder
		b.WriteString(flywayTable)
		for i, g := range h.files[:k-1] {
			b.WriteString(flywayRow(i+1, g, true))
		}
		b.WriteString(flywayRow(k, f, false))
		return b.String(), true
	}
	return "", false
}

// gooseTable is goose's PostgreSQL version table (goose v3).
const gooseTable = `CREATE TABLE goose_db_version (
	id serial NOT NULL,
	version_id bigint NOT NULL,
	is_applied boolean NOT NULL,
	tstamp timestamp NULL default now(),
	PRIMARY KEY(id)
);
`

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
		rank, f.version, sqlQuote(strings.ReplaceAll(f.name, "_", " ")), sqlQuote(f.file), flywayChecksum(f.up), 20+rank%7, success)
}

func sqlQuote(s string) string { return strings.ReplaceAll(s, "'", "''") }

func flywayChecksum(text string) int32 {
	text = strings.TrimPrefix(text, "\uFEFF")
	text = strings.NewReplacer("\r\n", "", "\n", "", "\r", "").Replace(text)
	return int32(crc32.ChecksumIEEE([]byte(text)))
}
