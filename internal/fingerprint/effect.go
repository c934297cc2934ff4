package fingerprint

import (
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// Kind names a class of catalog object that a statement can leave behind.
type Kind string

const (
	KindSchema     Kind = "schema"
	KindExtension  Kind = "extension"
	KindTable      Kind = "table"      // ordinary or partitioned table
	KindColumn     Kind = "column"     // Table + Name
	KindConstraint Kind = "constraint" // Table + Name (table constraints only)
	KindIndex      Kind = "index"      // Name (+ Table when known)
	KindType       Kind = "type"       // enum, composite, domain or range type
	KindEnumValue  Kind = "enum_value" // Table holds the enum type's name, Name the label
	KindFunction   Kind = "function"   // Name; procedures too
	KindTrigger    Kind = "trigger"    // Table + Name
	KindView       Kind = "view"       // views and materialized views
	KindSequence   Kind = "sequence"
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
	case KindColumn, KindConstraint, KindTrigger, KindEnumValue:
		return fmt.Sprintf("%s %s.%s.%s", o.Kind, o.Schema, o.Table, o.Name)
	case KindExtension, KindSchema:
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

	// Alter is set when the statement changes attributes of an object that already exists
	// (ALTER COLUMN … SET NOT NULL / TYPE / SET DEFAULT, VALIDATE CONSTRAINT): then the
	// attributes decide whether the effect holds. Otherwise the statement creates the object,
	// existence decides, and differing attributes are drift.
	Alter bool `json:"alter,omitempty"`

	// Column attributes, checked only when set.
	Type       string `json:"type,omitempty"` // as format_type() spells it: "character varying(255)", "timestamp with time zone", "text[]"
	NotNull    *bool  `json:"not_null,omitempty"`
	HasDefault *bool  `json:"has_default,omitempty"`

	// Constraint validity: Validated means convalidated must be true (ADD CONSTRAINT without
	// NOT VALID, or VALIDATE CONSTRAINT). A NOT VALID constraint only needs to exist.
	Validated bool `json:"validated,omitempty"`
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
	Node  string `json:"node"`  // parse node name, e.g. "CreateStmt", "AlterTableStmt"

	// Effects is empty when the catalog cannot show what the statement did (INSERT, UPDATE,
	// GRANT, COMMENT, DO …) and no steady:fingerprint directive says it.
	Effects []Effect `json:"effects,omitempty"`
	// Explicit reports that Effects came from a steady:fingerprint directive.
	Explicit bool `json:"explicit,omitempty"`
	// Replaces reports a CREATE OR REPLACE (function, procedure, view, trigger): it succeeds
	// whether or not the object exists, and the object's existence does not prove that this
	// definition of it is the one in the catalog.
	Replaces bool `json:"replaces,omitempty"`
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
