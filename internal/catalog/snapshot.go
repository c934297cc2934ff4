package catalog

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Querier is satisfied by *pgx.Conn, *pgxpool.Pool and pgx.Tx.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

//go:embed snapshot.sql
var snapshotSQL string

// Column is a column of a table, view or materialized view.
type Column struct {
	Name string
	// Type is spelled by format_type, unqualified for pg_catalog and public types and
	// schema-qualified otherwise, whatever the session's search_path (see snapshot.sql).
	Type       string
	NotNull    bool
	HasDefault bool // a default expression, a serial's nextval or an identity
	// Default is the default expression as pg_get_expr prints it ("" for none or an identity).
	Default string
}

// Table is an ordinary or partitioned table with its columns in attnum order.
type Table struct {
	Schema, Name string
	Columns      []Column
	// Size as of the table's last VACUUM, ANALYZE or CREATE INDEX (pg_class.reltuples and
	// relpages), read without a lock. Rows is -1 until the table is first vacuumed or analyzed,
	// and for a partitioned table. TotalBytes adds the TOAST table and the indexes.
	Rows                  int64
	HeapBytes, TotalBytes int64
}

// Index is an index (or a partitioned index) as pg_index and pg_get_indexdef show it.
type Index struct {
	Schema, Name string
	Table        string // the indexed table, in the same schema
	// Valid and Ready are false after a failed CREATE INDEX CONCURRENTLY.
	Valid, Ready bool
	Definition   string // pg_get_indexdef
	// SizeBytes is relpages × block_size: the size when the index was built or last
	// vacuumed or analyzed, read without a lock; 0 for a partitioned index. Ask
	// pg_relation_size for the exact size of one index.
	SizeBytes int64
}

// Snapshot is the catalog as one statement saw it. It never queries again, is never
// refreshed, and is safe for concurrent use.
type Snapshot struct {
	schemas     map[string]struct{}
	extensions  map[string]extensionRow
	relations   map[name]relKind
	sizes       map[name]relationRow // of tables and materialized views
	columns     map[name][]Column    // tables, views and materialized views
	columnAt    map[member]int       // index into columns[table]
	constraints map[member]constraintRow
	indexes     map[name]Index
	types       map[name]typeRow
	enumValues  map[member]struct{}
	enumLabels  map[name][]string   // in enumsortorder, for evidence
	functions   map[name][]function // the overloads
	triggers    map[member]triggerRow
	policies    map[member]struct{} // row-level security policies
	pubs        map[string]struct{} // publications
}

// name keys an object that lives in a schema; member one that lives in a table (or enum).
type name struct{ schema, name string }
type member struct{ schema, table, name string }

type relKind string // pg_class.relkind

// The rows of snapshot.sql, one struct per JSON array.
type extensionRow struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Schema  string `json:"schema"`
}

type relationRow struct {
	Schema     string  `json:"schema"`
	Name       string  `json:"name"`
	Kind       relKind `json:"kind"`
	Rows       *int64  `json:"rows"`
	HeapBytes  int64   `json:"heap_bytes"`
	TotalBytes int64   `json:"total_bytes"`
}

type columnRow struct {
	Schema     string `json:"schema"`
	Table      string `json:"table"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	NotNull    bool   `json:"not_null"`
	HasDefault bool   `json:"has_default"`
	Default    string `json:"default_expr"`
}

type constraintRow struct {
	Schema     string `json:"schema"`
	Table      string `json:"table"`
	Name       string `json:"name"`
	Validated  bool   `json:"validated"`
	Definition string `json:"definition"`
}

type indexRow struct {
	Schema     string `json:"schema"`
	Name       string `json:"name"`
	Table      string `json:"table"`
	Valid      bool   `json:"valid"`
	Ready      bool   `json:"ready"`
	Definition string `json:"definition"`
	SizeBytes  int64  `json:"size_bytes"`
}

type typeRow struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
}

type enumValueRow struct {
	Schema string `json:"schema"`
	Type   string `json:"type"`
	Label  string `json:"label"`
}

var proKindNames = map[string]string{"f": "function", "p": "procedure", "a": "aggregate", "w": "window function"}

type functionRow struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Args   string `json:"args"`
	SrcMD5 string `json:"src_md5"` // md5 of pg_proc.prosrc
}

// function is one overload of a function name.
type function struct {
	signature string // e.g. "function app.add(a integer, b integer)"
	srcMD5    string
}

type triggerRow struct {
	Schema  string `json:"schema"`
	Table   string `json:"table"`
	Name    string `json:"name"`
	Enabled string `json:"enabled"`
}

// Read takes a snapshot in one round trip. It sees every schema except pg_catalog,
// information_schema, pg_toast and the temporary schemas (pg_temp_*, pg_toast_temp_*).
func Read(ctx context.Context, q Querier) (*Snapshot, error) {
	return read(ctx, q, nil)
}

// ReadRelations is Read limited to the relations (tables, views, indexes, sequences) with the
// given names, in any schema, and what hangs off them: their columns, constraints, indexes and
// triggers. Schemas, extensions, types, enum values and functions are read whole. Checking what
// one migration left behind needs no more; reading the whole catalog after each migration of a
// long history made its first run quadratic.
func ReadRelations(ctx context.Context, q Querier, names []string) (*Snapshot, error) {
	return read(ctx, q, append([]string{}, names...)) // never nil: nil reads every relation
}

func read(ctx context.Context, q Querier, names []string) (*Snapshot, error) {
	var raw [12][]byte
	if err := q.QueryRow(ctx, snapshotSQL, names).Scan(rawDest(&raw)...); err != nil {
		return nil, fmt.Errorf("read catalog snapshot: %w", err)
	}
	return decodeWrapped(raw)
}

// QueueRead adds the snapshot query to a batch, so that a caller can read the catalog and other
// rows in the same round trip. *dst is set when the batch's results are read.
func QueueRead(b *pgx.Batch, dst **Snapshot) {
	b.Queue(snapshotSQL, []string(nil)).QueryRow(func(row pgx.Row) error {
		var raw [12][]byte
		if err := row.Scan(rawDest(&raw)...); err != nil {
			return fmt.Errorf("read catalog snapshot: %w", err)
		}
		s, err := decodeWrapped(raw)
		*dst = s
		return err
	})
}

func rawDest(raw *[12][]byte) []any {
	dest := make([]any, len(raw))
	for i := range raw {
		dest[i] = &raw[i]
	}
	return dest
}

func decodeWrapped(raw [12][]byte) (*Snapshot, error) {
	s, err := decode(raw)
	if err != nil {
		return nil, fmt.Errorf("read catalog snapshot: %w", err)
	}
	return s, nil
}

// decode indexes the columns of the snapshot row by schema, table and name.
func decode(raw [12][]byte) (*Snapshot, error) {
	var (
		schemas     []string
		extensions  []extensionRow
		relations   []relationRow
		columns     []columnRow
		constraints []constraintRow
		indexes     []indexRow
		types       []typeRow
		enumValues  []enumValueRow
		functions   []functionRow
		triggers    []triggerRow
		policies    []triggerRow // schema, table, name
		pubs        []string
	)
	parts := []struct {
		name string
		into any
	}{
		{"schemas", &schemas}, {"extensions", &extensions}, {"relations", &relations},
		{"columns", &columns}, {"constraints", &constraints}, {"indexes", &indexes},
		{"types", &types}, {"enum_values", &enumValues}, {"functions", &functions},
		{"triggers", &triggers}, {"policies", &policies}, {"publications", &pubs},
	}
	for i, p := range parts {
		if err := json.Unmarshal(raw[i], p.into); err != nil {
			return nil, fmt.Errorf("decode %s: %w", p.name, err)
		}
	}

	s := &Snapshot{
		schemas:     make(map[string]struct{}, len(schemas)),
		extensions:  make(map[string]extensionRow, len(extensions)),
		relations:   make(map[name]relKind, len(relations)),
		sizes:       make(map[name]relationRow),
		columns:     make(map[name][]Column),
		columnAt:    make(map[member]int, len(columns)),
		constraints: make(map[member]constraintRow, len(constraints)),
		indexes:     make(map[name]Index, len(indexes)),
		types:       make(map[name]typeRow, len(types)),
		enumValues:  make(map[member]struct{}, len(enumValues)),
		enumLabels:  make(map[name][]string),
		functions:   make(map[name][]function),
		triggers:    make(map[member]triggerRow, len(triggers)),
		policies:    make(map[member]struct{}, len(policies)),
		pubs:        make(map[string]struct{}, len(pubs)),
	}
	for _, n := range schemas {
		s.schemas[n] = struct{}{}
	}
	for _, e := range extensions {
		s.extensions[e.Name] = e
	}
	for _, r := range relations {
		s.relations[name{r.Schema, r.Name}] = r.Kind
		if r.Rows != nil {
			s.sizes[name{r.Schema, r.Name}] = r
		}
	}
	// Rows come in attnum order, so appending keeps each table's columns in order.
	for _, c := range columns {
		k := name{c.Schema, c.Table}
		s.columnAt[member{c.Schema, c.Table, c.Name}] = len(s.columns[k])
		s.columns[k] = append(s.columns[k], Column{Name: c.Name, Type: c.Type, NotNull: c.NotNull, HasDefault: c.HasDefault, Default: c.Default})
	}
	for _, c := range constraints {
		s.constraints[member{c.Schema, c.Table, c.Name}] = c
	}
	for _, i := range indexes {
		s.indexes[name{i.Schema, i.Name}] = Index{
			Schema: i.Schema, Name: i.Name, Table: i.Table, Valid: i.Valid, Ready: i.Ready,
			Definition: i.Definition, SizeBytes: i.SizeBytes,
		}
	}
	for _, t := range types {
		s.types[name{t.Schema, t.Name}] = t
	}
	for _, e := range enumValues {
		s.enumValues[member{e.Schema, e.Type, e.Label}] = struct{}{}
		s.enumLabels[name{e.Schema, e.Type}] = append(s.enumLabels[name{e.Schema, e.Type}], e.Label)
	}
	for _, f := range functions {
		k := name{f.Schema, f.Name}
		s.functions[k] = append(s.functions[k], function{
			signature: fmt.Sprintf("%s %s.%s(%s)", proKindNames[f.Kind], f.Schema, f.Name, f.Args),
			srcMD5:    f.SrcMD5,
		})
	}
	for _, t := range triggers {
		s.triggers[member{t.Schema, t.Table, t.Name}] = t
	}
	for _, p := range policies {
		s.policies[member{p.Schema, p.Table, p.Name}] = struct{}{}
	}
	for _, p := range pubs {
		s.pubs[p] = struct{}{}
	}
	return s, nil
}

// Table returns an ordinary or partitioned table. Its Columns are a copy.
func (s *Snapshot) Table(schema, tableName string) (Table, bool) {
	k := name{schema, tableName}
	if kind := s.relations[k]; kind != "r" && kind != "p" {
		return Table{}, false
	}
	size := s.sizes[k]
	rows := int64(-1)
	if size.Rows != nil {
		rows = *size.Rows
	}
	return Table{Schema: schema, Name: tableName, Columns: slices.Clone(s.columns[k]),
		Rows: rows, HeapBytes: size.HeapBytes, TotalBytes: size.TotalBytes}, true
}

// Index returns an index by its schema and name.
func (s *Snapshot) Index(schema, indexName string) (Index, bool) {
	i, ok := s.indexes[name{schema, indexName}]
	return i, ok
}

func (s *Snapshot) column(schema, table, col string) (Column, bool) {
	i, ok := s.columnAt[member{schema, table, col}]
	if !ok {
		return Column{}, false
	}
	return s.columns[name{schema, table}][i], true
}

// TableNamed finds a table by name in any schema: in prefer first, then public, then the
// others in name order. Other tools create their history tables in whichever schema their
// connection's search_path named first.
func (s *Snapshot) TableNamed(tableName string, prefer ...string) (Table, bool) {
	all := s.TablesNamed(tableName, prefer...)
	if len(all) == 0 {
		return Table{}, false
	}
	return all[0], true
}

// TablesNamed is every table of that name, in TableNamed's order.
func (s *Snapshot) TablesNamed(tableName string, prefer ...string) []Table {
	var schemas []string
	for k, kind := range s.relations {
		if k.name == tableName && (kind == "r" || kind == "p") {
			schemas = append(schemas, k.schema)
		}
	}
	rank := func(schema string) int {
		if i := slices.Index(prefer, schema); i >= 0 {
			return i
		}
		if schema == "public" {
			return len(prefer)
		}
		return len(prefer) + 1
	}
	slices.SortFunc(schemas, func(a, b string) int {
		if c := rank(a) - rank(b); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	out := make([]Table, 0, len(schemas))
	for _, schema := range schemas {
		t, _ := s.Table(schema, tableName)
		out = append(out, t)
	}
	return out
}
