package catalogfiles

import (
	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migfiles"
)

// Schema is what a set of migrations leaves in a schema: its tables (and materialized views,
// which take indexes too) and their columns, as the statements' effects tell them in order.
type Schema struct {
	name   string
	tables map[string]*relation
}

type relation struct {
	columns map[string]bool
	known   bool // every column is known (a CREATE TABLE … AS tells none)
}

// SchemaOf folds the effects of parsed migrations (migfiles.Parse) into what they leave in
// schema (public when "").
func SchemaOf(ms []migfiles.Migration, schema string) *Schema {
	s := &Schema{name: cmpOr(schema, "public"), tables: map[string]*relation{}}
	for _, m := range ms {
		if m.Parsed == nil {
			continue
		}
		for _, st := range m.Parsed.Statements {
			s.apply(st)
		}
	}
	return s
}

func (s *Schema) apply(st fingerprint.Statement) {
	var created *relation
	for _, e := range st.Effects {
		o := e.Object
		if cmpOr(o.Schema, "public") != s.name {
			continue
		}
		switch o.Kind {
		case fingerprint.KindTable, fingerprint.KindView:
			switch {
			case e.Absent && created != nil && st.Node == "RenameStmt":
				// A rename: the new name (the first effect) takes the old one's columns.
				if old, ok := s.tables[o.Name]; ok {
					*created = *old
				}
				delete(s.tables, o.Name)
			case e.Absent:
				delete(s.tables, o.Name)
			case !e.Alter:
				if _, ok := s.tables[o.Name]; !ok {
					s.tables[o.Name] = &relation{columns: map[string]bool{}, known: st.Node == "CreateStmt"}
				}
				created = s.tables[o.Name]
			}
		case fingerprint.KindColumn:
			t, ok := s.tables[o.Table]
			if !ok {
				continue
			}
			if e.Absent {
				delete(t.columns, o.Name)
			} else {
				t.columns[o.Name] = true
			}
		}
	}
}

// HasTable reports a table (or materialized view) the migrations leave.
func (s *Schema) HasTable(name string) bool {
	_, ok := s.tables[name]
	return ok
}

// HasColumn reports a column of a table the migrations leave; true for a relation whose
// columns the statements do not tell (CREATE TABLE … AS, a view).
func (s *Schema) HasColumn(table, column string) bool {
	t, ok := s.tables[table]
	return ok && (!t.known || t.columns[column])
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
