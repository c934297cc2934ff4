package toolhistory

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/steadydb/steady/internal/bookkeeping"
	"github.com/steadydb/steady/internal/catalog"
	"github.com/steadydb/steady/internal/migfiles"
)

// schemaMigrations is the history table name of golang-migrate, dbmate, the Python migration
// runner, and steady itself.
const schemaMigrations = "schema_migrations"

// Record is what another migration tool's history table records. A database that
// tool migrated is adopted from it: the versions it records count as run (reconciled with the
// evidence "recorded by <tool>"), and are still checked against the catalog.
type Record struct {
	Tool     string // "golang-migrate", "goose", "Flyway", "dbmate", "Prisma", "sqlx", "diesel", "the Supabase CLI", "the Python migration runner"
	Table    string
	upTo     migfiles.Version // golang-migrate records only its last version: every version up to it ran
	versions map[migfiles.Version]bool
	names    map[string]bool // the Python migration runner recorded names as well as versions
}

// Records reports whether the table records that migration as run.
func (f Record) Records(m migfiles.Migration) bool {
	if f.upTo != "" && m.Version.Compare(f.upTo) <= 0 {
		return true
	}
	return f.versions[m.Version] || f.names[m.Name]
}

// UnfinishedError is another tool's history that says a migration failed half-way
// (golang-migrate's dirty flag, a Flyway row with success = false). steady does not guess what
// a half-run migration left: it refuses, writing nothing, until a person has looked.
type UnfinishedError struct {
	Tool, Table string
	Version     string
	Reason      string
	Fix         string
}

func (e *UnfinishedError) Error() string {
	return fmt.Sprintf("%s's %s %s version %s: %s. Nothing was written. %s", e.Tool, e.Table, e.Reason, e.Version,
		"a migration failed half-way and its effects are unknown", e.Fix)
}

// Tables of the other tools. Each is looked for in every schema (public first): a tool makes
// its table in the schema its connection's search_path named first, and steady's schema
// setting does not move it. It is then read schema-qualified, whatever search_path the
// session has.
const (
	gooseTable    = "goose_db_version"
	flywayTable   = "flyway_schema_history"
	sqlxTable     = "_sqlx_migrations"
	prismaTable   = "_prisma_migrations"
	dieselTable   = "__diesel_schema_migrations"
	supabaseTable = "schema_migrations" // in the supabase_migrations schema
)

// Queue queues reads of every other tool's history the snapshot shows; out and errs are filled
// when the batch's results are read, errs with an *UnfinishedError for each unfinished run.
// legacy says that steady's schema holds another system's schema_migrations, to be read
// before steady sets it aside. format is the migration files' format: a schema_migrations
// table of one text column is dbmate's in a dbmate directory and the Python migration
// runner's otherwise.
func Queue(batch *pgx.Batch, snap *catalog.Snapshot, schema bookkeeping.Schema, legacy bool, format migfiles.Format, out *[]Record, errs *[]error) {
	add := func(f Record) { *out = append(*out, f) }
	refuse := func(tool, table, version, reason, fix string) {
		*errs = append(*errs, &UnfinishedError{Tool: tool, Table: table, Version: version, Reason: reason, Fix: fix})
	}
	// versions reads rows of (version, ok) and refuses the first that is not ok.
	versions := func(tool, table, query, reason, fix string) {
		batch.Queue(query).Query(func(rows pgx.Rows) error {
			f := Record{Tool: tool, Table: table, versions: map[migfiles.Version]bool{}}
			for rows.Next() {
				var v string
				var ok bool
				if err := rows.Scan(&v, &ok); err != nil {
					return err
				}
				if !ok {
					refuse(tool, table, v, reason, fix)
					continue
				}
				if pv, err := migfiles.ParseVersion(v); err == nil {
					f.versions[pv] = true
				}
			}
			add(f)
			return rows.Err()
		})
	}
	if t, ok := snap.TableNamed(gooseTable); ok && hasColumns(t, "version_id", "is_applied") {
		batch.Queue(`SELECT version_id::text, is_applied FROM ` + qualified(t) + ` ORDER BY id`).Query(func(rows pgx.Rows) error {
			f := Record{Tool: "goose", Table: gooseTable, versions: map[migfiles.Version]bool{}}
			for rows.Next() {
				var v string
				var applied bool
				if err := rows.Scan(&v, &applied); err != nil {
					return err
				}
				if pv, err := migfiles.ParseVersion(v); err == nil && pv != "0" {
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
	if t, ok := snap.TableNamed(flywayTable); ok && hasColumns(t, "version", "success", "type") {
		queueFlyway(batch, t, add, refuse)
	}
	if t, ok := snap.TableNamed(sqlxTable); ok && hasColumns(t, "version", "success") {
		versions("sqlx", sqlxTable, `SELECT version::text, success FROM `+qualified(t)+` ORDER BY version`,
			"records a failed run (success = false) of",
			"Check what that migration did, finish or undo it by hand, delete its row (or run sqlx migrate revert), then run steady again.")
	}
	if t, ok := snap.TableNamed(prismaTable); ok && hasColumns(t, "migration_name", "finished_at", "rolled_back_at", "started_at") {
		// The latest row of each migration is its state: finished, or failed (never finished),
		// or marked rolled back by prisma migrate resolve and not applied again since.
		versions("Prisma", prismaTable, `SELECT DISTINCT ON (migration_name)
			split_part(migration_name, '_', 1), finished_at IS NOT NULL AND rolled_back_at IS NULL
			FROM `+qualified(t)+` ORDER BY migration_name, started_at DESC`,
			"records a migration that did not finish (failed, or rolled back and not applied again) at",
			"Check what that migration.sql did, finish or undo it by hand, mark it (prisma migrate resolve --applied or --rolled-back) or delete its row, then run steady again.")
	}
	if t, ok := snap.TableNamed(dieselTable); ok && hasColumns(t, "version") {
		versions("diesel", dieselTable, `SELECT version::text, true FROM `+qualified(t), "", "")
	}
	if t, ok := snap.Table("supabase_migrations", supabaseTable); ok && hasColumns(t, "version") {
		versions("the Supabase CLI", "supabase_migrations."+supabaseTable, `SELECT version::text, true FROM `+qualified(t), "", "")
	}
	// golang-migrate's and dbmate's schema_migrations: in steady's schema when steady has not
	// taken the name yet (it is then set aside), or in another schema (a search_path that named
	// the application's schema first), where it stays.
	t, ok := snap.Table(schema.Name(), schemaMigrations)
	if !legacy {
		if t, ok = otherSchemaMigrations(snap, schema); !ok {
			return
		}
	}
	if hasColumns(t, "version", "dirty") {
		batch.Queue(`SELECT version::text, dirty FROM ` + qualified(t)).Query(func(rows pgx.Rows) error {
			f := Record{Tool: "golang-migrate", Table: schemaMigrations}
			for rows.Next() {
				var v string
				var dirty bool
				if err := rows.Scan(&v, &dirty); err != nil {
					return err
				}
				if dirty {
					refuse("golang-migrate", schemaMigrations, v, "marks dirty",
						"Check what that migration's .up.sql did, finish or undo it by hand, clear the flag (migrate force "+v+", or UPDATE schema_migrations SET dirty = false), then run steady again.")
					continue
				}
				if pv, err := migfiles.ParseVersion(v); err == nil && (f.upTo == "" || pv.Compare(f.upTo) > 0) {
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
		if format == migfiles.FormatDbmate {
			tool = "dbmate"
		}
		batch.Queue(`SELECT version::text FROM ` + qualified(t)).Query(func(rows pgx.Rows) error {
			f := Record{Tool: tool, Table: schemaMigrations, versions: map[migfiles.Version]bool{}, names: map[string]bool{}}
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					return err
				}
				if pv, err := migfiles.ParseVersion(v); err == nil {
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

// otherSchemaMigrations finds another tool's schema_migrations outside steady's schema: one
// without steady's checksum column.
func otherSchemaMigrations(snap *catalog.Snapshot, schema bookkeeping.Schema) (catalog.Table, bool) {
	for _, t := range snap.TablesNamed(schemaMigrations) {
		if t.Schema != schema.Name() && t.Schema != "supabase_migrations" && hasColumns(t, "version") && !hasColumns(t, "checksum") {
			return t, true
		}
	}
	return catalog.Table{}, false
}

func queueFlyway(batch *pgx.Batch, t catalog.Table, add func(Record), refuse func(tool, table, version, reason, fix string)) {
	batch.Queue(`SELECT version, success, type FROM ` + qualified(t) + ` WHERE version IS NOT NULL ORDER BY installed_rank`).Query(func(rows pgx.Rows) error {
		f := Record{Tool: "Flyway", Table: flywayTable, versions: map[migfiles.Version]bool{}}
		for rows.Next() {
			var v, typ string
			var success bool
			if err := rows.Scan(&v, &success, &typ); err != nil {
				return err
			}
			if !success {
				refuse("Flyway", flywayTable, v, "records a failed run (success = false) of",
					"Check what that script did, finish or undo it by hand, remove the failed row (flyway repair), then run steady again.")
				continue
			}
			pv, err := migfiles.ParseVersion(v)
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

// qualified is a table's schema-qualified, quoted name.
func qualified(t catalog.Table) string { return pgx.Identifier{t.Schema, t.Name}.Sanitize() }

func hasColumns(t catalog.Table, names ...string) bool {
	for _, n := range names {
		if !slices.ContainsFunc(t.Columns, func(c catalog.Column) bool { return c.Name == n }) {
			return false
		}
	}
	return true
}

// LegacyName is where a schema_migrations table of another tool is kept when steady creates
// its own under that name.
func LegacyName(foreign []Record) string {
	for _, f := range foreign {
		if f.Table != schemaMigrations {
			continue
		}
		switch f.Tool {
		case "golang-migrate":
			return "schema_migrations_golang_migrate"
		case "dbmate":
			return "schema_migrations_dbmate"
		}
	}
	return "schema_migrations_python"
}
