package fingerprint

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// A constraint's definition is compared in a canonical form: the clause as the parser's
// deparser prints it after everything that pg_get_constraintdef adds or spells differently, and
// that does not change what the constraint allows, is normalised away:
//
//   - the name, NOT VALID (validity is Effect.Validated), USING INDEX TABLESPACE;
//   - every cast: the server prints the implicit ones ((name)::text, (0)::numeric,
//     (ARRAY[…])::text[]), so a cast written by hand is not told apart either;
//   - constants as strings (it prints -1 as '-1'::integer), ELSE NULL in a CASE;
//   - x IN (a, b) as x = ANY (ARRAY[a, b]), x IN (a) as x = a, NOT IN as <> ALL, LIKE and ILIKE
//     as their operators, BETWEEN as two comparisons, nested AND and OR flattened;
//   - column references by their last name, operators unqualified, public. dropped from
//     function names and from the referenced table.
//
// Only PRIMARY KEY, UNIQUE, FOREIGN KEY and CHECK get a definition, and a CHECK only when its
// expression is made of the nodes listed in normExpr; anything else is checked for existence
// only. A normalisation that misses a spelling makes a constraint look different, never the
// same; the forms the server prints are tested against PostgreSQL.

// errUncomparable is returned for a constraint whose definition has no canonical form.
var errUncomparable = errors.New("no canonical form for this constraint")

// constraintDefinition is the canonical clause of a constraint written in a statement; column
// is set for a column constraint. "" when it has none.
func constraintDefinition(c *pg_query.Constraint, column string, version int32) string {
	n, ok := normConstraint(c, column)
	if !ok {
		return ""
	}
	def, err := deparseConstraint(n, version)
	if err != nil {
		return ""
	}
	return def
}

// CanonicalConstraint returns the canonical form of a constraint clause, such as
// pg_get_constraintdef prints or Effect.Definition holds ("CHECK (price > 0)"). Two clauses
// with the same canonical form define the same constraint, but see [SameConstraint] for a
// foreign key written without its referenced columns.
func CanonicalConstraint(clause string) (string, error) {
	c, version, err := parseConstraint(clause)
	if err != nil {
		return "", err
	}
	n, ok := normConstraint(c, "")
	if !ok {
		return "", fmt.Errorf("constraint %q: %w", clause, errUncomparable)
	}
	return deparseConstraint(n, version)
}

// CanonicalDefault returns a column default as pg_get_expr prints it (pg_attrdef) in the form
// Effect.Default holds, or "" when it has none: a default changed by a later migration ('free'
// then 'trial') is then told apart, while the server's added casts ('trial'::text) are not.
func CanonicalDefault(expr string) string {
	def, err := CanonicalConstraint("CHECK (" + expr + ")")
	if err != nil {
		return ""
	}
	return checkExpr(def)
}

// checkExpr takes the expression out of a canonical "CHECK (…)" clause.
func checkExpr(def string) string {
	return strings.TrimSuffix(strings.TrimPrefix(def, "CHECK ("), ")")
}

// SameConstraint reports whether found, a constraint as pg_get_constraintdef prints it, is the
// constraint that want (an Effect.Definition) defines. A foreign key written without the
// referenced columns references the primary key, which only the database knows: then the
// referenced columns are not compared. The referenced table's schema is compared only when both
// name one: pg_get_constraintdef leaves it out when the reading session's search_path shows it.
func SameConstraint(want, found string) (bool, error) {
	w, version, err := parseConstraint(want)
	if err != nil {
		return false, err
	}
	f, _, err := parseConstraint(found)
	if err != nil {
		return false, err
	}
	wn, ok := normConstraint(w, "")
	if !ok {
		return false, fmt.Errorf("constraint %q: %w", want, errUncomparable)
	}
	fn, ok := normConstraint(f, "")
	if !ok {
		return false, fmt.Errorf("constraint %q: %w", found, errUncomparable)
	}
	if wn.Contype == pg_query.ConstrType_CONSTR_FOREIGN {
		if len(wn.PkAttrs) == 0 {
			fn.PkAttrs = nil
		}
		if wn.Pktable.Schemaname == "" || fn.Pktable.Schemaname == "" {
			wn.Pktable.Schemaname, fn.Pktable.Schemaname = "", ""
		}
	}
	wd, err := deparseConstraint(wn, version)
	if err != nil {
		return false, err
	}
	fd, err := deparseConstraint(fn, version)
	if err != nil {
		return false, err
	}
	return wd == fd, nil
}

// constraintPrefix is put before a clause to parse it, and taken off the deparsed statement.
const constraintPrefix = "ALTER TABLE x ADD "

func parseConstraint(clause string) (*pg_query.Constraint, int32, error) {
	tree, err := pg_query.Parse(constraintPrefix + clause)
	if err != nil {
		return nil, 0, fmt.Errorf("constraint %q: %w", clause, err)
	}
	if len(tree.Stmts) == 1 {
		if at := tree.Stmts[0].Stmt.GetAlterTableStmt(); at != nil && len(at.Cmds) == 1 {
			if c := at.Cmds[0].GetAlterTableCmd().GetDef().GetConstraint(); c != nil {
				return c, tree.Version, nil
			}
		}
	}
	return nil, 0, fmt.Errorf("constraint %q: want one constraint clause", clause)
}

func deparseConstraint(c *pg_query.Constraint, version int32) (string, error) {
	stmt := &pg_query.AlterTableStmt{
		Relation: &pg_query.RangeVar{Relname: "x", Inh: true, Relpersistence: "p"},
		Objtype:  pg_query.ObjectType_OBJECT_TABLE,
		Cmds: []*pg_query.Node{{Node: &pg_query.Node_AlterTableCmd{AlterTableCmd: &pg_query.AlterTableCmd{
			Subtype:  pg_query.AlterTableType_AT_AddConstraint,
			Def:      &pg_query.Node{Node: &pg_query.Node_Constraint{Constraint: c}},
			Behavior: pg_query.DropBehavior_DROP_RESTRICT,
		}}}},
	}
	sql, err := pg_query.Deparse(&pg_query.ParseResult{Version: version, Stmts: []*pg_query.RawStmt{
		{Stmt: &pg_query.Node{Node: &pg_query.Node_AlterTableStmt{AlterTableStmt: stmt}}},
	}})
	if err != nil {
		return "", fmt.Errorf("deparse constraint: %w", err)
	}
	def, ok := strings.CutPrefix(sql, constraintPrefix)
	if !ok {
		return "", fmt.Errorf("deparse constraint: unexpected %q", sql)
	}
	return def, nil
}

// normConstraint returns a normalised copy of c (column names the column of a column
// constraint), or false when c has no canonical form.
func normConstraint(c *pg_query.Constraint, column string) (*pg_query.Constraint, bool) {
	n := proto.Clone(c).(*pg_query.Constraint)
	n.Conname, n.Location = "", 0
	n.SkipValidation, n.InitiallyValid = false, false
	n.Indexspace = ""
	colList := func(list []*pg_query.Node) []*pg_query.Node {
		if len(list) == 0 && column != "" {
			return []*pg_query.Node{stringNode(column)}
		}
		return list
	}
	switch n.Contype {
	case pg_query.ConstrType_CONSTR_PRIMARY, pg_query.ConstrType_CONSTR_UNIQUE:
		if n.Indexname != "" || len(n.Options) > 0 {
			return nil, false // USING INDEX takes the index's definition; WITH options vary in spelling
		}
		n.Keys = colList(n.Keys)
	case pg_query.ConstrType_CONSTR_FOREIGN:
		if n.Pktable == nil {
			return nil, false
		}
		n.FkAttrs = colList(n.FkAttrs)
		n.Pktable = &pg_query.RangeVar{Schemaname: n.Pktable.Schemaname, Relname: n.Pktable.Relname, Inh: true, Relpersistence: "p"}
		if n.Pktable.Schemaname == "public" {
			n.Pktable.Schemaname = ""
		}
		n.FkMatchtype = cmpOr(n.FkMatchtype, "s")
		n.FkUpdAction = cmpOr(n.FkUpdAction, "a")
		n.FkDelAction = cmpOr(n.FkDelAction, "a")
	case pg_query.ConstrType_CONSTR_CHECK:
		if n.RawExpr == nil || !normExpr(n.RawExpr) {
			return nil, false
		}
		n.CookedExpr = ""
	default:
		return nil, false
	}
	return n, true
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func stringNode(s string) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_String_{String_: &pg_query.String{Sval: s}}}
}

// normExpr normalises a CHECK expression in place; false when it holds a node this file does
// not know how pg_get_constraintdef prints.
func normExpr(n *pg_query.Node) bool {
	if n == nil {
		return true
	}
	switch x := n.Node.(type) {
	case *pg_query.Node_ColumnRef:
		f := x.ColumnRef.Fields
		if len(f) == 0 || f[len(f)-1].GetString_() == nil {
			return false // t.*
		}
		x.ColumnRef.Fields, x.ColumnRef.Location = f[len(f)-1:], 0
	case *pg_query.Node_AConst:
		if v, ok := constText(x.AConst); ok {
			n.Node = stringConst(v).Node
		}
	case *pg_query.Node_TypeCast:
		if !normExpr(x.TypeCast.Arg) {
			return false
		}
		n.Node = x.TypeCast.Arg.Node
	case *pg_query.Node_AExpr:
		return normAExpr(n, x.AExpr)
	case *pg_query.Node_BoolExpr:
		var args []*pg_query.Node
		for _, a := range x.BoolExpr.Args {
			if !normExpr(a) {
				return false
			}
			// a AND (b AND c) is a AND b AND c: the grammar flattens only the left side.
			if b := a.GetBoolExpr(); b != nil && b.Boolop == x.BoolExpr.Boolop && b.Boolop != pg_query.BoolExprType_NOT_EXPR {
				args = append(args, b.Args...)
				continue
			}
			args = append(args, a)
		}
		x.BoolExpr.Args, x.BoolExpr.Location = args, 0
	case *pg_query.Node_NullTest:
		x.NullTest.Location = 0
		return normExpr(x.NullTest.Arg)
	case *pg_query.Node_BooleanTest:
		x.BooleanTest.Location = 0
		return normExpr(x.BooleanTest.Arg)
	case *pg_query.Node_FuncCall:
		f := x.FuncCall
		if f.AggStar || f.AggDistinct || f.FuncVariadic || f.Over != nil || f.AggFilter != nil || len(f.AggOrder) > 0 {
			return false
		}
		if names := stringList(f.Funcname); len(names) == 2 && names[0] == "public" {
			f.Funcname = f.Funcname[1:]
		}
		f.Location = 0
		return normList(f.Args)
	case *pg_query.Node_AArrayExpr:
		x.AArrayExpr.Location = 0
		return normList(x.AArrayExpr.Elements)
	case *pg_query.Node_CoalesceExpr:
		x.CoalesceExpr.Location = 0
		return normList(x.CoalesceExpr.Args)
	case *pg_query.Node_MinMaxExpr:
		x.MinMaxExpr.Location = 0
		return normList(x.MinMaxExpr.Args)
	case *pg_query.Node_CaseExpr:
		c := x.CaseExpr
		if c.Arg != nil {
			return false // CASE x WHEN …: the server may print it as CASE WHEN x = …
		}
		for _, w := range c.Args {
			cw := w.GetCaseWhen()
			if cw == nil || !normExpr(cw.Expr) || !normExpr(cw.Result) {
				return false
			}
			cw.Location = 0
		}
		if !normExpr(c.Defresult) {
			return false
		}
		if k := c.Defresult.GetAConst(); k != nil && k.Isnull {
			c.Defresult = nil // the server prints the implicit ELSE NULL
		}
		c.Location = 0
	case *pg_query.Node_SqlvalueFunction:
		x.SqlvalueFunction.Location = 0
	default:
		return false
	}
	return true
}

func normList(list []*pg_query.Node) bool {
	for _, n := range list {
		if !normExpr(n) {
			return false
		}
	}
	return true
}

// normAExpr normalises an operator expression, rewriting n when its form changes.
func normAExpr(n *pg_query.Node, e *pg_query.A_Expr) bool {
	names := stringList(e.Name)
	if len(names) == 0 || len(names) != len(e.Name) {
		return false
	}
	op := names[len(names)-1]
	e.Name, e.Location = []*pg_query.Node{stringNode(op)}, 0
	switch e.Kind {
	case pg_query.A_Expr_Kind_AEXPR_OP, pg_query.A_Expr_Kind_AEXPR_OP_ANY, pg_query.A_Expr_Kind_AEXPR_OP_ALL,
		pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NULLIF:
	case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
		e.Kind = pg_query.A_Expr_Kind_AEXPR_OP // the server prints ~~, !~~, ~~*, !~~*
	case pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		// Printed as NOT (a IS DISTINCT FROM b).
		e.Kind = pg_query.A_Expr_Kind_AEXPR_DISTINCT
		inner := &pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: e}}
		n.Node = &pg_query.Node_BoolExpr{BoolExpr: &pg_query.BoolExpr{Boolop: pg_query.BoolExprType_NOT_EXPR, Args: []*pg_query.Node{inner}}}
		return normExpr(e.Lexpr) && normExpr(e.Rexpr)
	case pg_query.A_Expr_Kind_AEXPR_IN:
		items := e.Rexpr.GetList().GetItems()
		if len(items) == 0 || (op != "=" && op != "<>") {
			return false
		}
		for _, it := range items {
			if hasColumnRef(it) {
				return false // the server turns such an IN into ORs of comparisons
			}
		}
		switch {
		case len(items) == 1: // x IN (a) is x = a
			e.Kind, e.Rexpr = pg_query.A_Expr_Kind_AEXPR_OP, items[0]
		case op == "=":
			e.Kind = pg_query.A_Expr_Kind_AEXPR_OP_ANY
			e.Rexpr = &pg_query.Node{Node: &pg_query.Node_AArrayExpr{AArrayExpr: &pg_query.A_ArrayExpr{Elements: items}}}
		default:
			e.Kind = pg_query.A_Expr_Kind_AEXPR_OP_ALL
			e.Rexpr = &pg_query.Node{Node: &pg_query.Node_AArrayExpr{AArrayExpr: &pg_query.A_ArrayExpr{Elements: items}}}
		}
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN:
		bounds := e.Rexpr.GetList().GetItems()
		if len(bounds) != 2 {
			return false
		}
		// Printed as x >= a AND x <= b, and NOT BETWEEN as x < a OR x > b.
		lo, hi, boolop := ">=", "<=", pg_query.BoolExprType_AND_EXPR
		if e.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN {
			lo, hi, boolop = "<", ">", pg_query.BoolExprType_OR_EXPR
		}
		cmp := func(op string, l, r *pg_query.Node) *pg_query.Node {
			return &pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: &pg_query.A_Expr{
				Kind: pg_query.A_Expr_Kind_AEXPR_OP, Name: []*pg_query.Node{stringNode(op)}, Lexpr: l, Rexpr: r,
			}}}
		}
		n.Node = &pg_query.Node_BoolExpr{BoolExpr: &pg_query.BoolExpr{Boolop: boolop, Args: []*pg_query.Node{
			cmp(lo, e.Lexpr, bounds[0]),
			cmp(hi, proto.Clone(e.Lexpr).(*pg_query.Node), bounds[1]),
		}}}
		return normExpr(n)
	default:
		return false // SIMILAR TO, BETWEEN SYMMETRIC …
	}
	return normExpr(e.Lexpr) && normExpr(e.Rexpr)
}

func hasColumnRef(n *pg_query.Node) bool {
	found := false
	walk(n.ProtoReflect(), func(m protoreflect.Message) {
		if _, ok := m.Interface().(*pg_query.ColumnRef); ok {
			found = true
		}
	})
	return found
}

// constText is the text of a non-NULL constant.
func constText(c *pg_query.A_Const) (string, bool) {
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Sval:
		return v.Sval.Sval, true
	case *pg_query.A_Const_Ival:
		return strconv.FormatInt(int64(v.Ival.Ival), 10), true
	case *pg_query.A_Const_Fval:
		return v.Fval.Fval, true
	case *pg_query.A_Const_Boolval:
		return strconv.FormatBool(v.Boolval.Boolval), true
	case *pg_query.A_Const_Bsval:
		return v.Bsval.Bsval, true
	}
	return "", false
}

func stringConst(s string) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{
		Val: &pg_query.A_Const_Sval{Sval: &pg_query.String{Sval: s}},
	}}}
}
