package historytest

import (
	"strings"
)

// historyCase is what a database at prefix k holds besides the schema its tool made.
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
	if h.format == golangMigrate {
		b.WriteString(golangMigrateTable)
		if k > 0 && lost < 0 {
			b.WriteString(golangMigrateRow(applied[k-1], false))
		}
		return b.String()
	}
	b.WriteString(tableOf(h.format))
	for i, f := range applied {
		if i != lost {
			b.WriteString(rowOf(h.format, i+1, f))
		}
	}
	return b.String()
}

// tableOf is the CREATE of the tool's table (every tool but golang-migrate, whose single row
// is its own matter).
func tableOf(f format) string {
	return map[format]string{
		goose: gooseTable, flyway: flywayTable, dbmate: dbmateTable, prisma: prismaTable,
		supabase: supabaseTable, sqlx: sqlxTable, diesel: dieselTable,
	}[f]
}

// rowOf is the row the tool writes for file f, the rank-th it applied, when it succeeded.
func rowOf(fm format, rank int, f migrationFile) string {
	switch fm {
	case goose:
		return gooseRow(f)
	case flyway:
		return flywayRow(rank, f, true)
	case dbmate:
		return dbmateRow(f)
	case prisma:
		return prismaRow(f, true)
	case supabase:
		return supabaseRow(f)
	case sqlx:
		return sqlxRow(f, true)
	case diesel:
		return dieselRow(f)
	}
	return ""
}

// unfinishedHistorySQL is the tool's table after a run that stopped in file k (1-based): for
// golang-migrate the version marked dirty, for Flyway and sqlx a row with success = false after
// the successful ones, for Prisma a row never finished nor rolled back. ok is false for tools
// that record no unfinished migration.
func unfinishedHistorySQL(h *history, k int) (sql string, ok bool) {
	f := h.files[k-1]
	var b strings.Builder
	switch h.format {
	case golangMigrate:
		return golangMigrateTable + golangMigrateRow(f, true), true
	case flyway, prisma, sqlx:
		b.WriteString(tableOf(h.format))
		for i, g := range h.files[:k-1] {
			b.WriteString(rowOf(h.format, i+1, g))
		}
	default:
		return "", false
	}
	switch h.format {
	case flyway:
		b.WriteString(flywayRow(k, f, false))
	case prisma:
		b.WriteString(prismaRow(f, false))
	case sqlx:
		b.WriteString(sqlxRow(f, false))
	}
	return b.String(), true
}

// unfinished describes, per tool, its table and what its line about an unfinished migration
// says.
var unfinished = map[format]struct{ table, says string }{
	golangMigrate: {"schema_migrations", `(?i)dirty`},
	flyway:        {"flyway_schema_history", `(?i)fail|success`},
	prisma:        {"_prisma_migrations", `(?i)finish|fail`},
	sqlx:          {"_sqlx_migrations", `(?i)fail|success`},
}
