package fingerprint

import (
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
)

// tableScope derives the effects of statements on one table: its columns and constraints.
type tableScope struct {
	table   Object
	names   *nameChooser
	version int32 // of the parse tree, for deparsing constraint definitions
}

func newTableScope(rv *pg_query.RangeVar, version int32) tableScope {
	return tableScope{table: relObject(KindTable, rv), names: newNameChooser(), version: version}
}

// createTable: the table, then each column, then each constraint that has a name, given or
// PostgreSQL's default.
func createTable(s *pg_query.CreateStmt, version int32) []Effect {
	if s.Relation == nil || s.Relation.Relpersistence == "t" {
		return nil
	}
	s = withoutPrimaryKeyDuplicates(s)
	t := newTableScope(s.Relation, version)
	elts := append(append([]*pg_query.Node{}, s.TableElts...), s.Constraints...)
	t.reserveNames(elts)

	var columns, constraints []Effect
	pkColumns := map[string]bool{}
	for _, elt := range elts {
		if cd := elt.GetColumnDef(); cd != nil {
			columns = append(columns, t.column(cd))
			constraints = append(constraints, t.columnConstraints(cd)...)
			continue
		}
		if c := elt.GetConstraint(); c != nil {
			if c.Contype == pg_query.ConstrType_CONSTR_PRIMARY {
				for _, col := range stringList(c.Keys) {
					pkColumns[col] = true
				}
			}
			constraints = append(constraints, t.constraintEffects(c, "")...)
		}
	}
	for i := range columns {
		if pkColumns[columns[i].Object.Name] {
			columns[i].NotNull = ptr(true)
		}
	}
	for i := range constraints {
		if constraints[i].Object.Kind != KindConstraint {
			continue
		}
		// CREATE TABLE marks every constraint valid: the table is empty, and PostgreSQL
		// overrides a NOT VALID given here (transformCheckConstraints, transformFKConstraints).
		constraints[i].Validated = true
	}
	effects := append([]Effect{{Object: t.table}}, columns...)
	effects = append(effects, constraints...)
	return append(effects, t.ownedSequences(elts)...)
}

// ownedSequences are the sequences serial and identity columns make, named as PostgreSQL
// names them (<table>_<column>_seq). A table renamed later keeps them under that name, and a
// new table of the old name makes them again: the history has to know they exist.
func (t tableScope) ownedSequences(elts []*pg_query.Node) []Effect {
	var out []Effect
	for _, elt := range elts {
		cd := elt.GetColumnDef()
		if cd == nil {
			continue
		}
		_, serial := formatType(cd.TypeName)
		for _, n := range cd.Constraints {
			if n.GetConstraint().GetContype() == pg_query.ConstrType_CONSTR_IDENTITY {
				serial = true
			}
		}
		if serial {
			name := makeObjectName(t.table.Name, cd.Colname, "seq")
			// Table: the sequence is owned by the column, and goes when the table goes.
			out = append(out, Effect{Object: Object{Kind: KindSequence, Schema: t.table.Schema, Table: t.table.Name, Name: name}})
		}
	}
	return out
}

// reserveNames records the constraint names given explicitly, which unnamed constraints'
// default names then avoid.
func (t tableScope) reserveNames(elts []*pg_query.Node) {
	for _, elt := range elts {
		t.reserve(elt.GetConstraint())
		for _, c := range elt.GetColumnDef().GetConstraints() {
			t.reserve(c.GetConstraint())
		}
	}
}

func (t tableScope) reserve(c *pg_query.Constraint) {
	if c != nil && c.Conname != "" {
		t.names.reserve(c.Conname)
	}
}

// alterTable derives one ALTER TABLE sub-command (statements are split before this).
func alterTable(s *pg_query.AlterTableStmt, version int32) []Effect {
	if s.Objtype != pg_query.ObjectType_OBJECT_TABLE || s.Relation == nil || len(s.Cmds) != 1 {
		return nil
	}
	cmd := s.Cmds[0].GetAlterTableCmd()
	if cmd == nil {
		return nil
	}
	t := newTableScope(s.Relation, version)
	switch cmd.Subtype {
	case pg_query.AlterTableType_AT_AddColumn:
		cd := cmd.Def.GetColumnDef()
		if cd == nil {
			return nil
		}
		effects := append([]Effect{t.column(cd)}, t.columnConstraints(cd)...)
		return append(effects, t.ownedSequences([]*pg_query.Node{cmd.Def})...)
	case pg_query.AlterTableType_AT_DropColumn:
		return []Effect{{Object: t.child(KindColumn, cmd.Name), Absent: true}}
	case pg_query.AlterTableType_AT_AlterColumnType:
		typ, _ := formatType(cmd.Def.GetColumnDef().GetTypeName())
		if typ == "" {
			return nil // with no type to compare, the effect would always hold
		}
		return []Effect{{Object: t.child(KindColumn, cmd.Name), Alter: true, Type: typ}}
	case pg_query.AlterTableType_AT_SetNotNull, pg_query.AlterTableType_AT_DropNotNull:
		notNull := cmd.Subtype == pg_query.AlterTableType_AT_SetNotNull
		return []Effect{{Object: t.child(KindColumn, cmd.Name), Alter: true, NotNull: &notNull}}
	case pg_query.AlterTableType_AT_ColumnDefault:
		hasDefault := cmd.Def != nil && !nullConstant(cmd.Def) // DROP DEFAULT has none, nor SET DEFAULT NULL
		return []Effect{{Object: t.child(KindColumn, cmd.Name), Alter: true, HasDefault: &hasDefault, Default: t.defaultExpr(cmd.Def)}}
	case pg_query.AlterTableType_AT_AddConstraint:
		c := cmd.Def.GetConstraint()
		if c == nil {
			return nil
		}
		t.reserve(c)
		return t.constraintEffects(c, "")
	case pg_query.AlterTableType_AT_ValidateConstraint:
		return []Effect{{Object: t.child(KindConstraint, cmd.Name), Alter: true, Validated: true}}
	case pg_query.AlterTableType_AT_DropConstraint:
		return []Effect{{Object: t.child(KindConstraint, cmd.Name), Absent: true}}
	}
	return nil
}

// child names a column, constraint or trigger of the table.
func (t tableScope) child(kind Kind, name string) Object {
	return Object{Kind: kind, Schema: t.table.Schema, Table: t.table.Name, Name: name}
}

// column derives a column definition. NOT NULL holds for NOT NULL, PRIMARY KEY, identity and
// serial columns; a default for DEFAULT, serial, generated and identity columns (an identity
// fills itself like a default does; internal/catalog counts it the same way).
func (t tableScope) column(cd *pg_query.ColumnDef) Effect {
	typ, serial := formatType(cd.TypeName)
	notNull, hasDefault := serial || cd.IsNotNull, serial
	def := ""
	for _, n := range cd.Constraints {
		switch n.GetConstraint().GetContype() {
		case pg_query.ConstrType_CONSTR_NOTNULL, pg_query.ConstrType_CONSTR_PRIMARY:
			notNull = true
		case pg_query.ConstrType_CONSTR_IDENTITY:
			notNull, hasDefault = true, true
		case pg_query.ConstrType_CONSTR_NULL:
			notNull = false
		case pg_query.ConstrType_CONSTR_DEFAULT:
			if expr := n.GetConstraint().GetRawExpr(); !nullConstant(expr) {
				hasDefault, def = true, t.defaultExpr(expr)
			}
		case pg_query.ConstrType_CONSTR_GENERATED:
			hasDefault = true
		}
	}
	return Effect{Object: t.child(KindColumn, cd.Colname), Type: typ, NotNull: &notNull, HasDefault: &hasDefault, Default: def}
}

// nullConstant reports NULL, or NULL cast to a type: PostgreSQL stores no default for it (the
// column's default is NULL anyway), so DEFAULT NULL leaves a column without one.
func nullConstant(expr *pg_query.Node) bool {
	if c := expr.GetTypeCast(); c != nil {
		return nullConstant(c.GetArg())
	}
	c := expr.GetAConst()
	return c != nil && c.GetIsnull()
}

// defaultExpr is a default expression in the canonical form CanonicalDefault gives the
// catalog's, or "" when it has none (then only the presence of a default is compared).
func (t tableScope) defaultExpr(expr *pg_query.Node) string {
	if expr == nil {
		return ""
	}
	c := &pg_query.Constraint{Contype: pg_query.ConstrType_CONSTR_CHECK, RawExpr: expr}
	if def := constraintDefinition(c, "", t.version); def != "" {
		return checkExpr(def)
	}
	return ""
}

// columnConstraints derives the constraints declared on a column.
func (t tableScope) columnConstraints(cd *pg_query.ColumnDef) []Effect {
	var effects []Effect
	for _, n := range cd.Constraints {
		if c := n.GetConstraint(); c != nil {
			effects = append(effects, t.constraintEffects(c, cd.Colname)...)
		}
	}
	return effects
}

// constraintEffects is a constraint's effect and, for PRIMARY KEY, UNIQUE and EXCLUDE, the
// index PostgreSQL builds for it under the same name: it takes that name in the schema's
// relation namespace, and renaming one renames the other.
func (t tableScope) constraintEffects(c *pg_query.Constraint, column string) []Effect {
	e, ok := t.constraint(c, column)
	if !ok {
		return nil
	}
	out := []Effect{e}
	switch c.Contype {
	case pg_query.ConstrType_CONSTR_PRIMARY, pg_query.ConstrType_CONSTR_UNIQUE, pg_query.ConstrType_CONSTR_EXCLUSION:
		idx := Effect{Object: Object{Kind: KindIndex, Schema: t.table.Schema, Table: t.table.Name, Name: e.Object.Name},
			NameChosen: e.NameChosen, BacksConstraint: true}
		switch {
		case c.Indexname == "":
			out = append(out, idx)
		case c.Indexname != e.Object.Name:
			// ADD CONSTRAINT name … USING INDEX idx renames idx to the constraint's name.
			out = append(out, idx, Effect{Object: Object{Kind: KindIndex, Schema: t.table.Schema, Name: c.Indexname}, Absent: true})
		}
	}
	return out
}

// constraint derives a table constraint (column is set for a column constraint). NOT NULL and
// DEFAULT are column attributes, not pg_constraint rows, and give none.
func (t tableScope) constraint(c *pg_query.Constraint, column string) (Effect, bool) {
	switch c.Contype {
	case pg_query.ConstrType_CONSTR_PRIMARY, pg_query.ConstrType_CONSTR_UNIQUE,
		pg_query.ConstrType_CONSTR_FOREIGN, pg_query.ConstrType_CONSTR_CHECK,
		pg_query.ConstrType_CONSTR_EXCLUSION:
	default:
		return Effect{}, false
	}
	name, chosen := c.Conname, false
	if name == "" {
		name, chosen = t.defaultName(c, column), c.Indexname == ""
	}
	if name == "" {
		return Effect{}, false
	}
	return Effect{
		Object:     t.child(KindConstraint, name),
		Validated:  !c.SkipValidation,
		Definition: constraintDefinition(c, column, t.version),
		NameChosen: chosen,
	}, true
}

// defaultName is the name PostgreSQL gives an unnamed constraint, or "" when it cannot be
// told from the statement.
func (t tableScope) defaultName(c *pg_query.Constraint, column string) string {
	columns := func(nodes ...[]*pg_query.Node) []string {
		if column != "" {
			return []string{column}
		}
		var cols []string
		for _, list := range nodes {
			cols = append(cols, stringList(list)...)
		}
		return cols
	}
	switch c.Contype {
	case pg_query.ConstrType_CONSTR_PRIMARY, pg_query.ConstrType_CONSTR_UNIQUE:
		if c.Indexname != "" {
			return c.Indexname // ADD … USING INDEX: the constraint takes the index's name
		}
		if c.Contype == pg_query.ConstrType_CONSTR_PRIMARY {
			return t.names.choose(t.table.Name, "", "pkey")
		}
		return t.names.choose(t.table.Name, nameAddition(columns(c.Keys, c.Including)), "key")
	case pg_query.ConstrType_CONSTR_FOREIGN:
		return t.names.choose(t.table.Name, nameAddition(columns(c.FkAttrs)), "fkey")
	case pg_query.ConstrType_CONSTR_CHECK:
		// Named after the one column the expression references. With none or several,
		// PostgreSQL uses <table>_check plus a counter that depends on the other checks
		// already there, which the SQL cannot tell: leave it unverifiable.
		col := checkColumn(c.RawExpr)
		if col == "" {
			return ""
		}
		return t.names.choose(t.table.Name, col, "check")
	case pg_query.ConstrType_CONSTR_EXCLUSION:
		var elems []*pg_query.Node
		for _, ex := range c.Exclusions {
			if items := ex.GetList().GetItems(); len(items) > 0 {
				elems = append(elems, items[0])
			}
		}
		return t.names.choose(t.table.Name, nameAddition(indexColumnNames(elems)), "excl")
	}
	return ""
}

func ptr[T any](v T) *T { return &v }

// withoutPrimaryKeyDuplicates is CREATE TABLE as PostgreSQL reads it: a UNIQUE constraint on
// exactly the primary key's columns is not created (transformIndexConstraints keeps one index
// for both), and when it was named and the primary key was not, the primary key takes its
// name. `code varchar(2) PRIMARY KEY UNIQUE` makes <table>_pkey alone.
func withoutPrimaryKeyDuplicates(s *pg_query.CreateStmt) *pg_query.CreateStmt {
	type found struct {
		c    *pg_query.Constraint
		keys string
	}
	var pk *found
	var uniques []found
	visit := func(c *pg_query.Constraint, column string) {
		keys := stringList(c.Keys)
		if len(keys) == 0 && column != "" {
			keys = []string{column}
		}
		f := found{c: c, keys: strings.Join(keys, ",")}
		switch {
		case c.Contype == pg_query.ConstrType_CONSTR_PRIMARY:
			pk = &f
		case c.Contype == pg_query.ConstrType_CONSTR_UNIQUE && len(c.Including) == 0 && !c.NullsNotDistinct && c.Indexname == "":
			uniques = append(uniques, f)
		}
	}
	for _, elt := range append(append([]*pg_query.Node{}, s.TableElts...), s.Constraints...) {
		if cd := elt.GetColumnDef(); cd != nil {
			for _, n := range cd.Constraints {
				if c := n.GetConstraint(); c != nil {
					visit(c, cd.Colname)
				}
			}
		} else if c := elt.GetConstraint(); c != nil {
			visit(c, "")
		}
	}
	if pk == nil || !slices.ContainsFunc(uniques, func(u found) bool { return u.keys == pk.keys }) {
		return s
	}
	out := proto.Clone(s).(*pg_query.CreateStmt)
	rename := ""
	drop := func(nodes []*pg_query.Node, column string) []*pg_query.Node {
		return slices.DeleteFunc(nodes, func(n *pg_query.Node) bool {
			c := n.GetConstraint()
			if c == nil || c.Contype != pg_query.ConstrType_CONSTR_UNIQUE || len(c.Including) > 0 || c.NullsNotDistinct || c.Indexname != "" {
				return false
			}
			keys := stringList(c.Keys)
			if len(keys) == 0 && column != "" {
				keys = []string{column}
			}
			if strings.Join(keys, ",") != pk.keys {
				return false
			}
			if c.Conname != "" && rename == "" {
				rename = c.Conname
			}
			return true
		})
	}
	for _, elt := range out.TableElts {
		if cd := elt.GetColumnDef(); cd != nil {
			cd.Constraints = drop(cd.Constraints, cd.Colname)
		}
	}
	out.TableElts = drop(out.TableElts, "")
	out.Constraints = drop(out.Constraints, "")
	if rename != "" && pk.c.Conname == "" {
		setPrimaryKeyName(out, rename)
	}
	return out
}

// setPrimaryKeyName names the (cloned) statement's primary key.
func setPrimaryKeyName(s *pg_query.CreateStmt, name string) {
	for _, elt := range append(append([]*pg_query.Node{}, s.TableElts...), s.Constraints...) {
		var cs []*pg_query.Node
		if cd := elt.GetColumnDef(); cd != nil {
			cs = cd.Constraints
		} else {
			cs = []*pg_query.Node{elt}
		}
		for _, n := range cs {
			if c := n.GetConstraint(); c != nil && c.Contype == pg_query.ConstrType_CONSTR_PRIMARY {
				c.Conname = name
			}
		}
	}
}
