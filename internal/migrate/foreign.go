package migrate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalog"
)

// foreignHistory is what another migration tool's history table records. A database that
// tool migrated is adopted from it: the versions it records count as run (reconciled with the
// evidence "recorded by <tool>"), and are still checked against the catalog.
type foreignHistory struct {
	tool     string // "golang-migrate", "goose", "Flyway", "dbmate", "the Python migration runner"
	table    string
	upTo     Version // golang-migrate records only its last version: every version up to it ran
	versions map[Version]bool
	names    map[string]bool // the Python migration runner recorded names as well as versions
}

func (f foreignHistory) records(m Migration) bool {
	if f.upTo != "" && m.Version.Compare(f.upTo) <= 0 {
		return true
	}
	return f.versions[m.Version] || f.names[m.Name]
}

// ForeignHistoryError is another tool's history that says a migration failed half-way
// (golang-migrate's dirty flag, a Flyway row with success = false). steady does not guess what
// a half-run migration left: it refuses, writing nothing, until a person has looked.
type ForeignHistoryError struct {
	Tool, Table string
	Version     string
	Reason      string
	Fix         string
}

func (e *ForeignHistoryError) Error() string {
	return fmt.Sprintf("%s's %s %s version %s: %s. Nothing was written. %s", e.Tool, e.Table, e.Reason, e.Version,
		"a migration failed half-way and its effects are unknown", e.Fix)
}

// Tables of the other tools, in the public schema as those tools create them by default;
// steady's schema setting does not move them.
const (
	gooseTable  = "goose_db_version"
	flywayTable = "flyway_schema_history"
)

// queueForeign queues reads of every other tool's history the snapshot shows. format is the
// migration files' format: a schema_migrations table of one text column is dbmate's in a
// dbmate directory and the Python migration runner's otherwise.
func queueForeign(batch *pgx.Batch, snap *catalog.Snapshot, schema bookkeeping.Schema, shape historyShape, format Format, out *[]foreignHistory, errs *[]error) {
	add := func(f foreignHistory) { *out = append(*out, f) }
	if t, ok := snap.Table("public", gooseTable); ok && hasColumns(t, "version_id", "is_applied") {
		batch.Queue(`SELECT version_id::text, is_applied FROM goose_db_version ORDER BY id`).Query(func(rows pgx.Rows) error {
			f := foreignHistory{tool: "goose", table: gooseTable, versions: map[Version]bool{}}
			for rows.Next() {
				var v string
				var applied bool
				if err := rows.Scan(&v, &applied); err != nil {
					return err
				}
				if pv, err := ParseVersion(v); err == nil && pv != "0" {
					f.versions[pv] = applied // the last row of a version is its state
				}
			}
			for v, applied := range f.versions {
				if !applied {
					delete(f.versions, v)
				}
			}
			add(f)
			return rows.Err()
		})
	}
	if t, ok := snap.Table("public", flywayTable); ok && hasColumns(t, "version", "success", "type") {
		batch.Queue(`SELECT version, success, type FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank`).Query(func(rows pgx.Rows) error {
			f := foreignHistory{tool: "Flyway", table: flywayTable, versions: map[Version]bool{}}
			for rows.Next() {
				var v, typ string
				var success bool
				if err := rows.Scan(&v, &success, &typ); err != nil {
					return err
				}
				if !success {
					*errs = append(*errs, &ForeignHistoryError{Tool: "Flyway", Table: flywayTable, Version: v,
						Reason: "records a failed run (success = false) of",
						Fix:    "Check what that script did, finish or undo it by hand, remove the failed row (flyway repair), then run steady again."})
					continue
				}
				pv, err := ParseVersion(v)
				if err != nil {
					continue
				}
				if strings.EqualFold(typ, "BASELINE") {
					if f.upTo == "" || pv.Compare(f.upTo) > 0 {
						f.upTo = pv
					}
					continue
				}
				f.versions[pv] = true
			}
			add(f)
			return rows.Err()
		})
	}
	if shape != historyLegacy {
		return
	}
	t, _ := snap.Table(schema.Name(), historyTable)
	if hasColumns(t, "version", "dirty") {
		batch.Queue(schema.SQL(`SELECT version::text, dirty FROM schema_migrations`)).Query(func(rows pgx.Rows) error {
			f := foreignHistory{tool: "golang-migrate", table: historyTable}
			for rows.Next() {
				var v string
				var dirty bool
				if err := rows.Scan(&v, &dirty); err != nil {
					return err
				}
				if dirty {
					*errs = append(*errs, &ForeignHistoryError{Tool: "golang-migrate", Table: historyTable, Version: v,
						Reason: "marks dirty",
						Fix:    "Check what that migration's .up.sql did, finish or undo it by hand, clear the flag (migrate force " + v + ", or UPDATE schema_migrations SET dirty = false), then run steady again."})
					continue
				}
				if pv, err := ParseVersion(v); err == nil && (f.upTo == "" || pv.Compare(f.upTo) > 0) {
					f.upTo = pv
				}
			}
			add(f)
			return rows.Err()
		})
		return
	}
	if hasColumns(t, "version") {
		tool := "the Python migration runner"
		if format == FormatDbmate {
			tool = "dbmate"
		}
		batch.Queue(schema.SQL(`SELECT version::text FROM schema_migrations`)).Query(func(rows pgx.Rows) error {
			f := foreignHistory{tool: tool, table: historyTable, versions: map[Version]bool{}, names: map[string]bool{}}
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					return err
				}
				if pv, err := ParseVersion(v); err == nil {
					f.versions[pv] = true
				} else {
					f.names[v] = true
				}
			}
			add(f)
			return rows.Err()
		})
	}
}

func hasColumns(t catalog.Table, names ...string) bool {
	for _, n := range names {
		if !slices.ContainsFunc(t.Columns, func(c catalog.Column) bool { return c.Name == n }) {
			return false
		}
	}
	return true
}

// legacyName is where a schema_migrations table of another tool is kept when steady creates
// its own under that name.
func legacyName(foreign []foreignHistory) string {
	for _, f := range foreign {
		if f.table != historyTable {
			continue
		}
		switch f.tool {
		case "golang-migrate":
			return "schema_migrations_golang_migrate"
		case "dbmate":
			return "schema_migrations_dbmate"
		}
	}
	return legacyTable
}
