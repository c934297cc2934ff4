package catalog

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/indexes/indexdef"
)

// Result is what the snapshot says about one effect.
type Result struct {
	Holds  bool   // the effect is in place: see Check
	Exists bool   // the object exists at all
	Found  string // evidence, e.g. "column public.leads.phone_whatsapp text NULL"; "" when missing
	Drift  string // the object exists but differs from the effect, e.g. "type is text, want character varying(32)"

	// Conflict is set when the object is missing but an object of another kind holds its name
	// (a view where a table is wanted, a table's row type where a type is wanted): creating it
	// would fail with "already exists" whatever IF NOT EXISTS says. E.g. "view public.leads".
	Conflict string

	// Invalid is set for an index that exists but is INVALID or not ready: what a failed or
	// cancelled CREATE INDEX CONCURRENTLY leaves. It must be dropped and built again; a create
	// effect still holds (the name is taken), with the drift "index is INVALID".
	Invalid bool
}

// Check answers whether an effect holds, from the snapshot alone.
//
//   - Absent: Holds when the object does not exist.
//   - Alter: Holds when the object exists and every attribute the effect sets matches.
//   - Otherwise (create): Holds when the object exists; differing attributes are Drift.
//
// Attributes are a column's Type, NotNull and HasDefault; a constraint's Validated and
// Definition; an index's Definition, valid && ready and, when Object.Table is set, the indexed
// table; a function's Source (one overload's body must match); a view's Columns. Object.Schema
// defaults to "public". KindRelation matches a relation of any kind. An unknown kind never
// holds and says so in Drift.
func (s *Snapshot) Check(e fingerprint.Effect) Result {
	o := e.Object
	if o.Schema == "" {
		o.Schema = "public"
	}
	f, ok := s.find(o, e)
	if !ok {
		return Result{Drift: fmt.Sprintf("catalog cannot check objects of kind %q", o.Kind)}
	}
	r := Result{Exists: f.exists, Found: f.found, Invalid: f.invalid}
	switch {
	case e.Absent:
		r.Holds = !f.exists
		return r
	case e.Alter:
		r.Holds = f.exists && len(f.drift) == 0
	default:
		r.Holds = f.exists
	}
	if f.exists {
		r.Drift = strings.Join(f.drift, "; ")
	} else {
		r.Conflict = f.conflict
	}
	return r
}

// finding is what the snapshot shows for one object.
type finding struct {
	exists   bool
	found    string
	drift    []string // attributes of the effect that differ
	conflict string   // another object holding the name, when the object is missing
	invalid  bool     // an index that is not valid or not ready
}

func (s *Snapshot) find(o fingerprint.Object, e fingerprint.Effect) (finding, bool) {
	switch o.Kind {
	case fingerprint.KindSchema:
		return s.findSchema(o), true
	case fingerprint.KindExtension:
		return s.findExtension(o), true
	case fingerprint.KindTable:
		return s.findRelation(o, "r", "p"), true
	case fingerprint.KindView:
		return s.findView(o, e), true
	case fingerprint.KindRelation:
		return s.findRelation(o, "r", "p", "v", "m", "S", "i", "I", "c", "f"), true
	case fingerprint.KindSequence:
		return s.findRelation(o, "S"), true
	case fingerprint.KindColumn:
		return s.findColumn(o, e), true
	case fingerprint.KindConstraint:
		return s.findConstraint(o, e), true
	case fingerprint.KindIndex:
		return s.findIndex(o, e), true
	case fingerprint.KindType:
		return s.findType(o), true
	case fingerprint.KindEnumValue:
		return s.findEnumValue(o), true
	case fingerprint.KindFunction:
		return s.findFunction(o, e), true
	case fingerprint.KindTrigger:
		return s.findTrigger(o), true
	case fingerprint.KindPublication:
		if _, ok := s.pubs[o.Name]; ok {
			return finding{exists: true, found: o.String()}, true
		}
		return finding{}, true
	case fingerprint.KindPolicy:
		if _, ok := s.policies[member{o.Schema, o.Table, o.Name}]; ok {
			return finding{exists: true, found: o.String()}, true
		}
		return finding{}, true
	}
	return finding{}, false
}

func (s *Snapshot) findSchema(o fingerprint.Object) finding {
	if _, ok := s.schemas[o.Name]; !ok {
		return finding{}
	}
	return finding{exists: true, found: "schema " + o.Name}
}

// findExtension ignores Object.Schema: extension names are unique per database, and where
// CREATE EXTENSION put it depends on the search_path of the session that ran it.
func (s *Snapshot) findExtension(o fingerprint.Object) finding {
	x, ok := s.extensions[o.Name]
	if !ok {
		return finding{}
	}
	return finding{exists: true, found: fmt.Sprintf("extension %s %s in schema %s", x.Name, x.Version, x.Schema)}
}

// findRelation finds a table, view or sequence. Relations share one namespace, and tables
// and views share theirs with types through their row types: such a holder is a conflict.
func (s *Snapshot) findRelation(o fingerprint.Object, kinds ...relKind) finding {
	k := name{o.Schema, o.Name}
	kind, ok := s.relations[k]
	if !ok {
		if t, ok := s.types[k]; ok && kinds[0].hasRowType() {
			return finding{conflict: typeFound(t, s.enumLabels[k])}
		}
		return finding{}
	}
	for _, want := range kinds {
		if kind == want {
			return finding{exists: true, found: s.relationFound(k, kind)}
		}
	}
	return finding{conflict: s.relationFound(k, kind)}
}

// hasRowType reports whether a relation of this kind has a pg_type row of its name (measured
// on PostgreSQL 15: tables, views and composite types do; sequences and indexes do not).
func (k relKind) hasRowType() bool {
	switch k {
	case "r", "p", "v", "m", "f", "c":
		return true
	}
	return false
}

func (s *Snapshot) relationFound(k name, kind relKind) string {
	found := fmt.Sprintf("%s %s.%s", relKindNames[kind], k.schema, k.name)
	if cols, ok := s.columns[k]; ok && (kind == "r" || kind == "p") {
		found += fmt.Sprintf(" (%d columns)", len(cols))
	}
	return found
}

var relKindNames = map[relKind]string{
	"r": "table", "p": "partitioned table", "v": "view", "m": "materialized view",
	"S": "sequence", "i": "index", "I": "partitioned index", "c": "composite type",
	"f": "foreign table", "t": "TOAST table",
}

func (s *Snapshot) findColumn(o fingerprint.Object, e fingerprint.Effect) finding {
	c, ok := s.column(o.Schema, o.Table, o.Name)
	if !ok {
		return finding{}
	}
	f := finding{exists: true, found: fmt.Sprintf("column %s.%s.%s %s", o.Schema, o.Table, o.Name, columnFound(c))}
	if want := canonicalType(e.Type); want != "" && c.Type != want {
		f.drift = append(f.drift, fmt.Sprintf("type is %s, want %s", c.Type, want))
	}
	switch {
	case e.NotNull != nil && *e.NotNull && !c.NotNull:
		f.drift = append(f.drift, "is nullable, want NOT NULL")
	case e.NotNull != nil && !*e.NotNull && c.NotNull:
		f.drift = append(f.drift, "is NOT NULL, want nullable")
	}
	switch {
	case e.HasDefault != nil && *e.HasDefault && !c.HasDefault:
		f.drift = append(f.drift, "has no default, want one")
	case e.HasDefault != nil && !*e.HasDefault && c.HasDefault:
		f.drift = append(f.drift, "has a default, want none")
	case e.Default != "" && c.Default != "":
		if got := fingerprint.CanonicalDefault(c.Default); got != "" && got != e.Default {
			f.drift = append(f.drift, fmt.Sprintf("default is %s, want %s", c.Default, e.Default))
		}
	}
	return f
}

func columnFound(c Column) string {
	found := c.Type + " NULL"
	if c.NotNull {
		found = c.Type + " NOT NULL"
	}
	if c.HasDefault {
		found += " DEFAULT"
	}
	return found
}

// canonicalType spells a wanted type the way the snapshot does: a "public." or "pg_catalog."
// qualification is dropped, any other is kept.
func canonicalType(t string) string {
	for _, prefix := range []string{"public.", "pg_catalog."} {
		if rest, ok := strings.CutPrefix(t, prefix); ok {
			return rest
		}
	}
	return t
}

func (s *Snapshot) findConstraint(o fingerprint.Object, e fingerprint.Effect) finding {
	c, ok := s.constraints[member{o.Schema, o.Table, o.Name}]
	if !ok {
		return finding{}
	}
	// pg_get_constraintdef ends a NOT VALID constraint's definition with "NOT VALID".
	f := finding{exists: true, found: fmt.Sprintf("constraint %s.%s.%s %s", o.Schema, o.Table, o.Name, c.Definition)}
	if e.Validated && !c.Validated {
		f.drift = append(f.drift, "constraint is NOT VALID, want validated")
	}
	if e.Definition != "" {
		same, err := fingerprint.SameConstraint(e.Definition, c.Definition)
		switch {
		case err != nil:
			f.drift = append(f.drift, fmt.Sprintf("definition cannot be compared: %v", err))
		case !same:
			f.drift = append(f.drift, "definition differs: want "+e.Definition)
		}
	}
	return f
}

func (s *Snapshot) findIndex(o fingerprint.Object, e fingerprint.Effect) finding {
	k := name{o.Schema, o.Name}
	i, ok := s.indexes[k]
	if !ok {
		if kind, ok := s.relations[k]; ok {
			return finding{conflict: s.relationFound(k, kind)}
		}
		return finding{}
	}
	f := finding{exists: true, found: fmt.Sprintf("index %s.%s %s", o.Schema, o.Name, i.Definition)}
	if !i.Valid {
		f.found += " INVALID"
		f.drift = append(f.drift, "index is INVALID")
	}
	if !i.Ready {
		f.found += " NOT READY"
		f.drift = append(f.drift, "index is not ready")
	}
	f.invalid = !i.Valid || !i.Ready
	if o.Table != "" && o.Table != i.Table {
		f.drift = append(f.drift, fmt.Sprintf("index is on %s.%s, want %s.%s", o.Schema, i.Table, o.Schema, o.Table))
	}
	if e.Definition != "" {
		same, err := sameIndex(e.Definition, i.Definition)
		switch {
		case err != nil:
			f.drift = append(f.drift, fmt.Sprintf("definition cannot be compared: %v", err))
		case !same:
			f.drift = append(f.drift, "definition differs: want "+e.Definition)
		}
	}
	return f
}

// sameIndex compares an index's wanted definition with pg_get_indexdef's, as package
// indexdef does for steady's own index catalog.
func sameIndex(want, found string) (bool, error) {
	def, err := indexdef.Parse(want)
	if err != nil {
		return false, fmt.Errorf("index definition %q: %w", want, err)
	}
	return def.Same(found)
}

// findView finds a view or materialized view and compares its output columns by name.
func (s *Snapshot) findView(o fingerprint.Object, e fingerprint.Effect) finding {
	f := s.findRelation(o, "v", "m")
	if !f.exists || e.Columns == nil {
		return f
	}
	cols := s.columns[name{o.Schema, o.Name}]
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	if !slices.Equal(names, e.Columns) {
		f.drift = append(f.drift, fmt.Sprintf("columns are (%s), want (%s)", strings.Join(names, ", "), strings.Join(e.Columns, ", ")))
	}
	return f
}

// findType finds an enum, composite, domain or range type; a relation's row type holds the
// name of a missing type.
func (s *Snapshot) findType(o fingerprint.Object) finding {
	k := name{o.Schema, o.Name}
	t, ok := s.types[k]
	if !ok {
		if kind, ok := s.relations[k]; ok && kind.hasRowType() {
			return finding{conflict: s.relationFound(k, kind)}
		}
		return finding{}
	}
	return finding{exists: true, found: typeFound(t, s.enumLabels[k])}
}

func typeFound(t typeRow, labels []string) string {
	switch t.Kind {
	case "e":
		quoted := make([]string, len(labels))
		for i, l := range labels {
			quoted[i] = "'" + strings.ReplaceAll(l, "'", "''") + "'"
		}
		return fmt.Sprintf("enum type %s.%s (%s)", t.Schema, t.Name, strings.Join(quoted, ", "))
	case "c":
		return fmt.Sprintf("composite type %s.%s", t.Schema, t.Name)
	case "d":
		return fmt.Sprintf("domain %s.%s", t.Schema, t.Name)
	default:
		return fmt.Sprintf("range type %s.%s", t.Schema, t.Name)
	}
}

func (s *Snapshot) findEnumValue(o fingerprint.Object) finding {
	if _, ok := s.enumValues[member{o.Schema, o.Table, o.Name}]; !ok {
		return finding{}
	}
	label := "'" + strings.ReplaceAll(o.Name, "'", "''") + "'"
	return finding{exists: true, found: fmt.Sprintf("enum value %s of %s.%s", label, o.Schema, o.Table)}
}

// findFunction finds a function by name, whatever its arguments. With a Source, one of its
// overloads must have that body.
func (s *Snapshot) findFunction(o fingerprint.Object, e fingerprint.Effect) finding {
	overloads, ok := s.functions[name{o.Schema, o.Name}]
	if !ok {
		return finding{}
	}
	sigs := make([]string, len(overloads))
	for i, fn := range overloads {
		sigs[i] = fn.signature
	}
	f := finding{exists: true, found: strings.Join(sigs, "; ")}
	if e.Source != "" {
		sum := md5.Sum([]byte(e.Source))
		want := hex.EncodeToString(sum[:])
		if !slices.ContainsFunc(overloads, func(fn function) bool { return fn.srcMD5 == want }) {
			f.drift = append(f.drift, "body differs")
		}
	}
	return f
}

func (s *Snapshot) findTrigger(o fingerprint.Object) finding {
	t, ok := s.triggers[member{o.Schema, o.Table, o.Name}]
	if !ok {
		return finding{}
	}
	found := fmt.Sprintf("trigger %s.%s.%s", o.Schema, o.Table, o.Name)
	if t.Enabled == "D" {
		found += " (disabled)"
	}
	return finding{exists: true, found: found}
}
