// Package sqlexpr puts SQL expressions in the form in which two spellings of one expression
// compare equal: the form written in a migration and the form PostgreSQL prints back
// (pg_get_constraintdef, pg_get_indexdef) differ in everything the server adds or respells
// without changing what the expression means:
//
//   - every cast: the server prints the implicit ones ((name)::text, (0)::numeric,
//     (ARRAY[…])::text[], lower((email)::text)), so a cast written by hand is not told apart;
//   - constants as strings (it prints -1 as '-1'::integer), ELSE NULL in a CASE;
//   - x IN (a, b) as x = ANY (ARRAY[a, b]), x IN (a) as x = a, NOT IN as <> ALL, LIKE and ILIKE
//     as their operators, BETWEEN as two comparisons, nested AND and OR flattened;
//   - column references by their last name (t.is_deleted is is_deleted), operators
//     unqualified, public. dropped from function names.
//
// A normalisation that misses a spelling makes two expressions look different, never the same:
// Normalize refuses a node it does not know. Package fingerprint compares constraints with it,
// package indexdef index expressions and predicates.
package sqlexpr

import (
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Normalize rewrites an expression in place into the form it is compared in; false when it
// holds a node whose printing by the server this package does not know (the expression is then
// to be treated as different from any other, never as the same).
func Normalize(n *pg_query.Node) bool {
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
		if v, ok := Const(x.AConst); ok {
			n.Node = StringConst(v).Node
		}
	case *pg_query.Node_TypeCast:
		if !Normalize(x.TypeCast.Arg) {
			return false
		}
		n.Node = x.TypeCast.Arg.Node
	case *pg_query.Node_AExpr:
		return normalizeOperator(n, x.AExpr)
	case *pg_query.Node_BoolExpr:
		var args []*pg_query.Node
		for _, a := range x.BoolExpr.Args {
			if !Normalize(a) {
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
		return Normalize(x.NullTest.Arg)
	case *pg_query.Node_BooleanTest:
		x.BooleanTest.Location = 0
		return Normalize(x.BooleanTest.Arg)
	case *pg_query.Node_FuncCall:
		f := x.FuncCall
		if f.AggStar || f.AggDistinct || f.FuncVariadic || f.Over != nil || f.AggFilter != nil || len(f.AggOrder) > 0 {
			return false
		}
		if names := stringList(f.Funcname); len(names) == 2 && names[0] == "public" {
			f.Funcname = f.Funcname[1:]
		}
		f.Location = 0
		return normalizeList(f.Args)
	case *pg_query.Node_AArrayExpr:
		x.AArrayExpr.Location = 0
		return normalizeList(x.AArrayExpr.Elements)
	case *pg_query.Node_CoalesceExpr:
		x.CoalesceExpr.Location = 0
		return normalizeList(x.CoalesceExpr.Args)
	case *pg_query.Node_MinMaxExpr:
		x.MinMaxExpr.Location = 0
		return normalizeList(x.MinMaxExpr.Args)
	case *pg_query.Node_CaseExpr:
		c := x.CaseExpr
		if c.Arg != nil {
			return false // CASE x WHEN …: the server may print it as CASE WHEN x = …
		}
		for _, w := range c.Args {
			cw := w.GetCaseWhen()
			if cw == nil || !Normalize(cw.Expr) || !Normalize(cw.Result) {
				return false
			}
			cw.Location = 0
		}
		if !Normalize(c.Defresult) {
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

func normalizeList(list []*pg_query.Node) bool {
	for _, n := range list {
		if !Normalize(n) {
			return false
		}
	}
	return true
}

// normalizeOperator normalises an operator expression, rewriting n when its form changes.
func normalizeOperator(n *pg_query.Node, e *pg_query.A_Expr) bool {
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
		return Normalize(e.Lexpr) && Normalize(e.Rexpr)
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
		return Normalize(n)
	default:
		return false // SIMILAR TO, BETWEEN SYMMETRIC …
	}
	return Normalize(e.Lexpr) && Normalize(e.Rexpr)
}

func hasColumnRef(n *pg_query.Node) bool {
	found := false
	Walk(n.ProtoReflect(), func(m protoreflect.Message) {
		if _, ok := m.Interface().(*pg_query.ColumnRef); ok {
			found = true
		}
	})
	return found
}

// Const is the text of a non-NULL constant.
func Const(c *pg_query.A_Const) (string, bool) {
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

// StringConst is a string constant node.
func StringConst(s string) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{
		Val: &pg_query.A_Const_Sval{Sval: &pg_query.String{Sval: s}},
	}}}
}

func stringNode(s string) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_String_{String_: &pg_query.String{Sval: s}}}
}

func stringList(nodes []*pg_query.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}

// Walk calls fn for m and every message of the parse tree below it.
func Walk(m protoreflect.Message, fn func(protoreflect.Message)) {
	if !m.IsValid() {
		return
	}
	fn(m)
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap() || fd.Message() == nil:
		case fd.IsList():
			for i := range v.List().Len() {
				Walk(v.List().Get(i).Message(), fn)
			}
		default:
			Walk(v.Message(), fn)
		}
		return true
	})
}

// Columns lists the last names of the columns referenced anywhere in a parse tree, in the
// order met.
func Columns(m proto.Message) []string {
	var out []string
	Walk(m.ProtoReflect(), func(m protoreflect.Message) {
		if ref, ok := m.Interface().(*pg_query.ColumnRef); ok && len(ref.Fields) > 0 {
			if s := ref.Fields[len(ref.Fields)-1].GetString_(); s != nil {
				out = append(out, s.Sval)
			}
		}
	})
	return out
}

// CharOffset converts PostgreSQL's error cursor (Cursorpos - 1), counted in characters, to a
// byte offset in s.
func CharOffset(s string, chars int) int {
	n := 0
	for i := range s {
		if n == chars {
			return i
		}
		n++
	}
	return len(s)
}
