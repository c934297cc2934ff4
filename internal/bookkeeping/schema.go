package bookkeeping

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DefaultSchema holds steady's and River's tables unless configured otherwise, as River's.
const DefaultSchema = "public"

// MaxSchemaLength is River's bound: it prefixes its notification topics with the schema, and a
// topic has at most 63 bytes.
const MaxSchemaLength = 63 - 1 - len("river_leadership")

// The names River accepts, minus pg_, which PostgreSQL reserves for its own schemas.
var schemaName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// SchemaError reports a schema name steady does not accept.
type SchemaError struct{ Name string }

func (e *SchemaError) Error() string {
	return fmt.Sprintf("schema %q: %s", e.Name, SchemaRule)
}

// SchemaRule says which names are accepted.
const SchemaRule = "want a letter or underscore, then letters, digits or underscores, at most 46 characters, not starting with pg_"

// Schema is where steady's tables and River's live. The zero value is DefaultSchema.
type Schema struct{ name string }

// ParseSchema validates a schema name; "" is DefaultSchema. It writes nothing: a schema that
// does not exist yet is created when steady's tables are first made.
func ParseSchema(name string) (Schema, error) {
	if name == "" {
		return Schema{DefaultSchema}, nil
	}
	if len(name) > MaxSchemaLength || !schemaName.MatchString(name) || strings.HasPrefix(strings.ToLower(name), "pg_") {
		return Schema{}, &SchemaError{Name: name}
	}
	return Schema{name}, nil
}

// Name is the schema's name, as River's Config.Schema takes it.
func (s Schema) Name() string {
	if s.name == "" {
		return DefaultSchema
	}
	return s.name
}

// Table is a table of the schema as a quoted, qualified identifier: "public"."steady_workers".
func (s Schema) Table(name string) string { return pgx.Identifier{s.Name(), name}.Sanitize() }

// The tables (and River's job state type) that steady's statements name. Longer names first,
// and a name only as a whole word: river_job is not river_job_state, and index or constraint
// names that start with a table's (steady_workers_pkey) are left alone.
var known = regexp.MustCompile(`(^|[^\w."])(` + strings.Join([]string{
	"schema_migrations", "steady_schema_versions", "steady_migration_lease", "steady_migration_failures",
	"steady_migration_state", "steady_workers", "steady_backfill_runs", "steady_backfill_slices", "steady_backfill_definitions",
	"steady_index_reloptions", "steady_shadow_states",
	"river_job_state", "river_job", "river_leader", "river_queue", "river_migration",
}, "|") + `)\b`)

// SQL qualifies every steady or River table a statement of steady's names with the schema, so
// that it runs the same through a transaction pooler whatever search_path a server connection
// has. Names already qualified, inside quotes, or part of a longer name are left alone; a
// statement that RENAMEs a table TO one of these names must not pass through it.
func (s Schema) SQL(statement string) string {
	prefix := pgx.Identifier{s.Name()}.Sanitize() + "."
	return known.ReplaceAllString(statement, "${1}"+prefix+"${2}")
}
