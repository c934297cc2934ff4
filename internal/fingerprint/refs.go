package fingerprint

import (
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/steadydb/steady/internal/sqlexpr"
)

// refs lists what a statement uses, besides what it creates: see Statement.Refs. unknown is
// set when some of it is hidden in strings the parser does not read.
type refs struct {
	objects []Object
	seen    map[Object]bool
	ctes    map[string]bool // WITH names, which unqualified FROM items may mean instead of relations
	// defining are the RangeVars that name what the statement creates (a temporary table
	// too, which has no effect to leave it out by).
	defining map[*pg_query.RangeVar]bool
	unknown  bool
}

// references derives Statement.Refs and Statement.RefsUnknown for one statement (an ALTER
// TABLE already split to one sub-command) whose effects are created.
func references(n *pg_query.Node, created []Effect) ([]Object, bool) {
	r := &refs{seen: map[Object]bool{}, ctes: map[string]bool{}, defining: map[*pg_query.RangeVar]bool{}}
	sqlexpr.Walk(n.ProtoReflect(), func(m protoreflect.Message) {
		if cte, ok := m.Interface().(*pg_query.CommonTableExpr); ok {
			r.ctes[cte.Ctename] = true
		}
	})
	r.statement(n)
	sqlexpr.Walk(n.ProtoReflect(), r.visit)

	out := r.objects[:0]
	for _, o := range r.objects {
		if !createdBy(o, created) {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		return nil, r.unknown
	}
	// Sorted: the order protoreflect visits fields in is unspecified.
	slices.SortFunc(out, func(a, b Object) int {
		return strings.Compare(a.String(), b.String())
	})
	return out, r.unknown
}

// createdBy reports whether o is one of the objects the effects create; a relation reference
// matches a created table, view, sequence, index or composite type of its name.
func createdBy(o Object, effects []Effect) bool {
	return slices.ContainsFunc(effects, func(e Effect) bool {
		if e.Absent || e.Alter {
			return false // an altered object is used, not created
		}
		if o.Kind == KindRelation {
			switch e.Object.Kind {
			case KindTable, KindView, KindSequence, KindIndex, KindType:
				return e.Object.Schema == o.Schema && e.Object.Name == o.Name
			}
			return false
		}
		return e.Object == o
	})
}

func (r *refs) add(o Object) {
	if o.Name == "" || r.seen[o] {
		return
	}
	r.seen[o] = true
	r.objects = append(r.objects, o)
}

func (r *refs) addQualified(kind Kind, names []string) {
	if o, ok := qualified(kind, names); ok {
		r.add(o)
	}
}

// statement adds what the statement's own kind uses beyond the names in its tree: the objects
// it drops, renames or alters by name, and the bodies it runs.
func (r *refs) statement(n *pg_query.Node) {
	switch s := n.Node.(type) {
	case *pg_query.Node_CreateStmt:
		r.defining[s.CreateStmt.Relation] = true
	case *pg_query.Node_ViewStmt:
		r.defining[s.ViewStmt.View] = true
	case *pg_query.Node_CreateTableAsStmt:
		r.defining[s.CreateTableAsStmt.GetInto().GetRel()] = true
	case *pg_query.Node_CreateSeqStmt:
		r.defining[s.CreateSeqStmt.Sequence] = true
	case *pg_query.Node_CompositeTypeStmt:
		r.defining[s.CompositeTypeStmt.Typevar] = true
	case *pg_query.Node_DoStmt, *pg_query.Node_ExecuteStmt, *pg_query.Node_CallStmt:
		// A DO block's code is a string; EXECUTE runs a statement prepared earlier; CALL runs
		// a procedure's body. (A function called from a query is listed, its body is not.)
		r.unknown = true
	case *pg_query.Node_CreateFunctionStmt:
		r.functionBody(s.CreateFunctionStmt)
	case *pg_query.Node_DropStmt:
		if s.DropStmt.MissingOk {
			return // IF EXISTS: it runs whether or not they exist
		}
		for _, obj := range s.DropStmt.Objects {
			if o, ok := droppedObject(s.DropStmt.RemoveType, obj); ok {
				r.add(o)
			}
		}
	case *pg_query.Node_RenameStmt:
		// A renamed relation is in the tree as a RangeVar already.
		if o, ok := renamedObject(s.RenameStmt); ok && !s.RenameStmt.MissingOk && !isRelationKind(o.Kind) {
			r.add(o)
		}
	case *pg_query.Node_CommentStmt:
		r.commented(s.CommentStmt)
	case *pg_query.Node_AlterTableStmt:
		r.alterTable(s.AlterTableStmt)
	case *pg_query.Node_AlterEnumStmt:
		r.addQualified(KindType, stringList(s.AlterEnumStmt.TypeName))
	case *pg_query.Node_CreateTrigStmt:
		r.addQualified(KindFunction, stringList(s.CreateTrigStmt.Funcname))
	}
}

func isRelationKind(k Kind) bool {
	switch k {
	case KindTable, KindView, KindIndex, KindSequence:
		return true
	}
	return false
}

// commented adds the object of a COMMENT ON.
func (r *refs) commented(s *pg_query.CommentStmt) {
	switch s.Objtype {
	case pg_query.ObjectType_OBJECT_COLUMN, pg_query.ObjectType_OBJECT_TABCONSTRAINT:
		names := stringList(s.Object.GetList().GetItems())
		if len(names) < 2 {
			return
		}
		table, ok := qualified(KindTable, names[:len(names)-1])
		if !ok {
			return
		}
		kind := KindColumn
		if s.Objtype == pg_query.ObjectType_OBJECT_TABCONSTRAINT {
			kind = KindConstraint
		}
		r.add(Object{Kind: kind, Schema: table.Schema, Table: table.Name, Name: names[len(names)-1]})
	default:
		if o, ok := droppedObject(s.Objtype, s.Object); ok {
			r.add(o)
		}
	}
}

// alterTable adds the column or constraint an ALTER TABLE sub-command names.
func (r *refs) alterTable(s *pg_query.AlterTableStmt) {
	if s.Relation == nil || len(s.Cmds) != 1 {
		return
	}
	cmd := s.Cmds[0].GetAlterTableCmd()
	if cmd == nil {
		return
	}
	table := relObject(KindTable, s.Relation)
	member := func(kind Kind, name string) {
		r.add(Object{Kind: kind, Schema: table.Schema, Table: table.Name, Name: name})
	}
	switch cmd.Subtype {
	case pg_query.AlterTableType_AT_DropColumn, pg_query.AlterTableType_AT_DropConstraint:
		if cmd.MissingOk {
			return
		}
		if cmd.Subtype == pg_query.AlterTableType_AT_DropColumn {
			member(KindColumn, cmd.Name)
		} else {
			member(KindConstraint, cmd.Name)
		}
	case pg_query.AlterTableType_AT_AlterColumnType, pg_query.AlterTableType_AT_SetNotNull,
		pg_query.AlterTableType_AT_DropNotNull, pg_query.AlterTableType_AT_ColumnDefault,
		pg_query.AlterTableType_AT_SetStatistics, pg_query.AlterTableType_AT_SetStorage,
		pg_query.AlterTableType_AT_SetOptions, pg_query.AlterTableType_AT_ResetOptions,
		pg_query.AlterTableType_AT_AddIdentity, pg_query.AlterTableType_AT_SetIdentity,
		pg_query.AlterTableType_AT_DropIdentity, pg_query.AlterTableType_AT_DropExpression:
		if cmd.Name != "" {
			member(KindColumn, cmd.Name)
		}
	case pg_query.AlterTableType_AT_ValidateConstraint:
		member(KindConstraint, cmd.Name)
	case pg_query.AlterTableType_AT_AddConstraint:
		if c := cmd.Def.GetConstraint(); c != nil && c.Indexname != "" {
			// ADD … USING INDEX: the index is in the table's schema.
			r.add(Object{Kind: KindIndex, Schema: table.Schema, Name: c.Indexname})
		}
	}
}

// functionBody adds what a LANGUAGE sql function's string body uses: PostgreSQL parses and
// analyses it when the function is created (check_function_bodies). Other languages' bodies
// are only used when the function runs. A SQL-standard body is in the tree already.
func (r *refs) functionBody(s *pg_query.CreateFunctionStmt) {
	if s.SqlBody != nil {
		return
	}
	var language string
	var as []string
	for _, o := range s.Options {
		d := o.GetDefElem()
		switch d.GetDefname() {
		case "as":
			as = stringList(d.Arg.GetList().GetItems())
		case "language":
			language = d.Arg.GetString_().GetSval()
		}
	}
	if !strings.EqualFold(language, "sql") || len(as) == 0 {
		return
	}
	tree, err := pg_query.Parse(as[0])
	if err != nil {
		r.unknown = true
		return
	}
	for _, raw := range tree.Stmts {
		sqlexpr.Walk(raw.ProtoReflect(), func(m protoreflect.Message) {
			if cte, ok := m.Interface().(*pg_query.CommonTableExpr); ok {
				r.ctes[cte.Ctename] = true
			}
		})
		r.statement(raw.Stmt)
		sqlexpr.Walk(raw.ProtoReflect(), r.visit)
	}
}

// visit adds the names one parse node uses.
func (r *refs) visit(m protoreflect.Message) {
	switch x := m.Interface().(type) {
	case *pg_query.RangeVar:
		if r.defining[x] || x.Schemaname == "" && r.ctes[x.Relname] {
			return
		}
		r.add(relObject(KindRelation, x))
	case *pg_query.FuncCall:
		names := stringList(x.Funcname)
		if len(names) == 0 || len(names) != len(x.Funcname) || names[0] == "pg_catalog" {
			return
		}
		r.addQualified(KindFunction, names)
		if sequenceFunctions[names[len(names)-1]] && len(x.Args) > 0 {
			r.relationLiteral(x.Args[0]) // nextval('seq')
		}
	case *pg_query.TypeCast:
		if names := stringList(x.GetTypeName().GetNames()); len(names) > 0 && names[len(names)-1] == "regclass" {
			r.relationLiteral(x.Arg) // 'leads'::regclass
		}
	case *pg_query.TypeName:
		r.typeName(x)
	}
}

var sequenceFunctions = map[string]bool{"nextval": true, "currval": true, "setval": true}

// relationLiteral adds the relation a string constant names, as regclass reads it.
func (r *refs) relationLiteral(n *pg_query.Node) {
	if c := n.GetTypeCast(); c != nil {
		n = c.Arg
	}
	s := n.GetAConst().GetSval()
	if s == nil {
		return
	}
	if names, err := splitName(s.Sval, false); err == nil {
		r.addQualified(KindRelation, names)
	}
}

// typeName adds a user type; built-in types and pseudo-types are left out.
func (r *refs) typeName(t *pg_query.TypeName) {
	names := stringList(t.Names)
	if t.PctType || len(names) == 0 || len(names) != len(t.Names) || names[0] == "pg_catalog" {
		return
	}
	if len(names) == 1 {
		if _, ok := builtinTypes[names[0]]; ok {
			return
		}
		if _, ok := serialTypes[names[0]]; ok || commonTypes[names[0]] {
			return
		}
	}
	r.addQualified(KindType, names)
}

// commonTypes are pg_catalog types the grammar leaves unqualified, which no migration creates.
var commonTypes = map[string]bool{
	"text": true, "uuid": true, "json": true, "jsonb": true, "jsonpath": true, "date": true,
	"bytea": true, "inet": true, "cidr": true, "macaddr": true, "macaddr8": true, "money": true,
	"xml": true, "tsvector": true, "tsquery": true, "oid": true, "name": true, "char": true,
	"regclass": true, "regtype": true, "regproc": true, "regprocedure": true, "regconfig": true,
	"point": true, "line": true, "lseg": true, "box": true, "path": true, "polygon": true, "circle": true,
	"int4range": true, "int8range": true, "numrange": true, "tsrange": true, "tstzrange": true, "daterange": true,
	"int4multirange": true, "int8multirange": true, "nummultirange": true, "tsmultirange": true,
	"tstzmultirange": true, "datemultirange": true, "pg_lsn": true, "txid_snapshot": true,
	"record": true, "void": true, "trigger": true, "event_trigger": true, "cstring": true, "internal": true,
	"anyelement": true, "anyarray": true, "anynonarray": true, "anyenum": true, "anyrange": true,
	"anymultirange": true, "anycompatible": true, "anycompatiblearray": true,
	"anycompatiblenonarray": true, "anycompatiblerange": true, "anycompatiblemultirange": true,
}
