package fingerprint

import (
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// Kind names a class of catalog object that a statement can leave behind.
type Kind string

const (
	KindSchema      Kind = "schema"
	KindExtension   Kind = "extension"
	KindTable       Kind = "table"       // ordinary or partitioned table
	KindColumn      Kind = "column"      // Table + Name
	KindConstraint  Kind = "constraint"  // Table + Name (table constraints only)
	KindIndex       Kind = "index"       // Name (+ Table when known)
	KindType        Kind = "type"        // enum, composite, domain or range type
	KindEnumValue   Kind = "enum_value"  // Table holds the enum type's name, Name the label
	KindFunction    Kind = "function"    // Name; procedures too
	KindTrigger     Kind = "trigger"     // Table + Name
	KindPolicy      Kind = "policy"      // Table + Name: a row-level security policy
	KindPublication Kind = "publication" // Name: a logical replication publication
	KindView        Kind = "view"        // views and materialized views
	KindSequence    Kind = "sequence"

	// KindRelation is a relation of any kind (table, view, materialized view, sequence, index,
	// composite type, foreign table): Statement.Refs names relations so, since a name in a
	// FROM clause does not tell which kind it is. It is never an effect.
	KindRelation Kind = "relation"
)

// Object identifies one catalog object. Unqualified names in SQL resolve to schema "public".
type Object struct {
	Kind   Kind   `json:"kind"`
	Schema string `json:"schema,omitempty"`
	Table  string `json:"table,omitempty"` // the owning table (or enum type for enum values)
	Name   string `json:"name"`
}

func (o Object) String() string {
	switch o.Kind {
	case KindColumn, KindConstraint, KindTrigger, KindPolicy, KindEnumValue:
		return fmt.Sprintf("%s %s.%s.%s", o.Kind, o.Schema, o.Table, o.Name)
	case KindExtension, KindSchema, KindPublication:
		return fmt.Sprintf("%s %s", o.Kind, o.Name)
	default:
		return fmt.Sprintf("%s %s.%s", o.Kind, o.Schema, o.Name)
	}
}

// Effect is one fact a statement makes true in the catalog. The first effect of a statement is
// its primary effect: whether it holds decides whether the statement must run. Further effects
// (a created table's columns, a created enum's labels) are checked and reported as drift.
type Effect struct {
	Object Object `json:"object"`

	// Absent is set for DROP and for the old name of a RENAME: the object must not exist.
	Absent bool `json:"absent,omitempty"`
	// Cascade: a DROP … CASCADE, which takes along what depends on the object (the views
	// and materialized views built on it, their indexes); package migrate follows it.
	Cascade bool `json:"cascade,omitempty"`

	// Alter is set when the statement changes attributes of an object that already exists
	// (ALTER COLUMN … SET NOT NULL / TYPE / SET DEFAULT, VALIDATE CONSTRAINT): then the
	// attributes decide whether the effect holds. Otherwise the statement creates the object,
	// existence decides, and differing attributes are drift.
	Alter bool `json:"alter,omitempty"`

	// Column attributes, checked only when set.
	Type       string `json:"type,omitempty"` // as format_type() spells it: "character varying(255)", "timestamp with time zone", "text[]"
	NotNull    *bool  `json:"not_null,omitempty"`
	HasDefault *bool  `json:"has_default,omitempty"`
	// NameChosen: the statement gives no name and PostgreSQL chose this one. It picks another
	// (a counter appended) when the name is taken in the schema, which only the history before
	// the statement tells (package migrate accounts for it).
	NameChosen bool `json:"name_chosen,omitempty"`
	// BacksConstraint: an index PRIMARY KEY, UNIQUE or EXCLUDE builds under the constraint's
	// name; renaming either renames both.
	BacksConstraint bool `json:"backs_constraint,omitempty"`

	// Default is the default expression in canonical form (see CanonicalDefault), when the
	// statement gives one that has it; compared with the catalog's when set.
	Default string `json:"default,omitempty"`

	// Constraint validity: Validated means convalidated must be true (ADD CONSTRAINT without
	// NOT VALID, or VALIDATE CONSTRAINT). A NOT VALID constraint only needs to exist.
	Validated bool `json:"validated,omitempty"`

	// Source is a function's or procedure's body as pg_proc.prosrc stores it: the AS string
	// exactly (escapes resolved, a $$ body verbatim), or a C function's link symbol. "" when
	// there is nothing to compare (a SQL-standard BEGIN ATOMIC or RETURN body): existence only.
	Source string `json:"source,omitempty"`

	// Definition is what the object is, compared with the catalog when set ("" means existence
	// only):
	//   - index: its CREATE INDEX statement as package indexdef parses it (named, table
	//     unqualified, without CONCURRENTLY, IF NOT EXISTS and TABLESPACE), compared with
	//     pg_get_indexdef by indexdef.Def.Same;
	//   - constraint: its canonical clause (see [CanonicalConstraint]), compared with
	//     pg_get_constraintdef by [SameConstraint].
	Definition string `json:"definition,omitempty"`

	// Columns is a view's output column names in order, when the statement tells them all;
	// nil otherwise (existence only).
	Columns []string `json:"columns,omitempty"`
}

func (e Effect) String() string {
	if e.Absent {
		return "no " + e.Object.String()
	}
	return e.Object.String()
}

// Statement is one top-level SQL statement of a migration with what it leaves behind.
type Statement struct {
	Index int    `json:"index"` // 0-based position in the migration after splitting
	Line  int    `json:"line"`  // 1-based line in the file where the statement starts
	SQL   string `json:"sql"`   // text to execute (deparsed when a statement was split)
	// Whole is the statement as the file writes it: for the sub-commands of a split ALTER
	// TABLE, the whole statement (each carries it). A file run whole runs these, as psql would.
	Whole string `json:"-"`
	Node  string `json:"node"` // parse node name, e.g. "CreateStmt", "AlterTableStmt"

	// Effects is empty when the catalog cannot show what the statement did (INSERT, UPDATE,
	// GRANT, COMMENT, DO …) and no steady:fingerprint directive says it.
	Effects []Effect `json:"effects,omitempty"`
	// Explicit reports that Effects came from a steady:fingerprint directive.
	Explicit bool `json:"explicit,omitempty"`
	// FromBody reports that Effects are those of the statements a DO block holds: evidence of
	// what it left, but the block also moves data, so it is never skipped or run for them.
	FromBody bool `json:"from_body,omitempty"`
	// Replaces reports a CREATE OR REPLACE (function, procedure, view, trigger): it succeeds
	// whether or not the object exists, and the object's existence does not prove that this
	// definition of it is the one in the catalog.
	Replaces bool `json:"replaces,omitempty"`

	// Refs are the objects the statement uses, other than those it creates: what must exist
	// for it to run as written. Best effort, sorted, without duplicates:
	//   - every relation named in the parse tree (FROM, JOIN, INSERT INTO, UPDATE, ALTER TABLE,
	//     CREATE INDEX ON, CREATE TRIGGER ON, REFERENCES, LIKE, PARTITION OF, GRANT …) as
	//     KindRelation, since a name does not tell its kind; WITH names are left out. So are
	//     the sequences named by nextval('…'), currval, setval and '…'::regclass literals;
	//   - functions called (pg_catalog.* left out), a trigger's function, and user types named
	//     in casts, columns and signatures (built-in types left out). Unqualified names resolve
	//     to public as effects' do, so a built-in function such as now() appears as
	//     public.now: match Refs against other statements' effects rather than the catalog;
	//   - what the statement drops (without IF EXISTS), renames or comments on, the column or
	//     constraint an ALTER TABLE sub-command names, ALTER TYPE's type, and the index of
	//     ADD … USING INDEX;
	//   - for CREATE FUNCTION … LANGUAGE sql with a string body, what the body uses: PostgreSQL
	//     analyses it at creation. Other languages' bodies are used only when the function runs
	//     and are not listed.
	// Columns read or written by DML are not listed: a relation stands for all its columns.
	// A KindRelation ref matches a table, view, sequence, index or type effect of the same
	// schema and name; an altered object (Effect.Alter) is a use, not a creation.
	Refs []Object `json:"refs,omitempty"`
	// RefsUnknown is set when what the statement uses is hidden from the parser: a DO block,
	// CALL of a procedure, EXECUTE of a prepared statement, a LANGUAGE sql body that does not
	// parse. (Functions called from a query and triggers fired by DML hide theirs too; they
	// are not flagged.)
	RefsUnknown bool `json:"refs_unknown,omitempty"`

	// Allows are the "-- steady:allow" directives on the lines before the statement (each
	// sub-command of a split ALTER TABLE carries them all).
	Allows []Allow `json:"allows,omitempty"`

	// Offset is the byte offset in the file of the statement's first keyword, and Tree its
	// parse tree (one sub-command's, when split), whose locations are byte offsets in the file:
	// what the lint reads.
	Offset int            `json:"-"`
	Tree   *pg_query.Node `json:"-"`
}

// Verifiable reports whether the catalog can tell whether the statement has run.
func (s Statement) Verifiable() bool { return len(s.Effects) > 0 }

// Migration is a parsed migration file.
type Migration struct {
	NoTransaction bool        `json:"no_transaction,omitempty"` // "-- steady:no-transaction"
	Statements    []Statement `json:"statements"`
}

// ParseError reports SQL that does not parse, or a malformed directive.
type ParseError struct {
	File    string
	Line    int
	Message string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
}
