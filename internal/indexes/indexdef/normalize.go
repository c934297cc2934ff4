package indexdef

import (
	"fmt"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// canonical deparses a copy of s with everything that does not change the index normalised
// away (see the package doc), so that two definitions of one index give the same text.
func canonical(s *pg_query.IndexStmt, version int32) (string, error) {
	c := proto.Clone(s).(*pg_query.IndexStmt)
	c.Idxname = ""
	c.Relation.Schemaname = ""
	c.Concurrent, c.IfNotExists = false, false
	if c.AccessMethod == "" {
		c.AccessMethod = "btree"
	}
	for _, p := range c.IndexParams {
		if e := p.GetIndexElem(); e != nil {
			normalizeOrder(e)
		}
	}
	for _, o := range c.Options {
		if d := o.GetDefElem(); d != nil {
			d.Defname = strings.ToLower(d.Defname)
			d.Arg = &pg_query.Node{Node: &pg_query.Node_String_{String_: &pg_query.String{Sval: optionValue(d.Arg)}}}
		}
	}
	walk(c.ProtoReflect(), normalizeNode)
	out, err := deparse(c, version)
	if err != nil {
		return "", fmt.Errorf("deparse index definition: %w", err)
	}
	return out, nil
}

// normalizeOrder writes the default sort order and NULLS placement as "default".
func normalizeOrder(e *pg_query.IndexElem) {
	desc := e.Ordering == pg_query.SortByDir_SORTBY_DESC
	if e.Ordering == pg_query.SortByDir_SORTBY_ASC {
		e.Ordering = pg_query.SortByDir_SORTBY_DEFAULT
	}
	if (desc && e.NullsOrdering == pg_query.SortByNulls_SORTBY_NULLS_FIRST) ||
		(!desc && e.NullsOrdering == pg_query.SortByNulls_SORTBY_NULLS_LAST) {
		e.NullsOrdering = pg_query.SortByNulls_SORTBY_NULLS_DEFAULT
	}
}

// normalizeNode rewrites one expression node after its children were rewritten:
//   - every cast goes: pg_get_indexdef casts every constant it prints, and adds the implicit
//     casts the server applies (lower((email)::text) for a varchar column, (state)::text =
//     'x'::text), so a cast written by hand is not told apart either;
//   - constants become strings: it prints -1 as '-1'::integer;
//   - a column by its last name: it drops the table qualifier (t.is_deleted → is_deleted);
//   - a IN (x, y) → a = ANY (ARRAY[x, y]): how it prints IN.
func normalizeNode(n *pg_query.Node) {
	switch x := n.Node.(type) {
	case *pg_query.Node_TypeCast:
		if arg := x.TypeCast.Arg; arg != nil {
			n.Node = arg.Node
		}
	case *pg_query.Node_ColumnRef:
		if f := x.ColumnRef.Fields; len(f) > 1 {
			x.ColumnRef.Fields = f[len(f)-1:]
		}
		x.ColumnRef.Location = 0
	case *pg_query.Node_AConst:
		if v, ok := constText(x.AConst); ok {
			n.Node = constNode(v).Node
		}
	case *pg_query.Node_AExpr:
		e := x.AExpr
		if e.Kind == pg_query.A_Expr_Kind_AEXPR_IN && e.Rexpr.GetList() != nil {
			e.Kind = pg_query.A_Expr_Kind_AEXPR_OP_ANY
			e.Rexpr = &pg_query.Node{Node: &pg_query.Node_AArrayExpr{
				AArrayExpr: &pg_query.A_ArrayExpr{Elements: e.Rexpr.GetList().Items},
			}}
		}
	}
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

func constNode(s string) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{
		Val: &pg_query.A_Const_Sval{Sval: &pg_query.String{Sval: s}},
	}}}
}

// optionValue is the text of a WITH option's value: fillfactor = 90 and fillfactor='90' agree.
func optionValue(n *pg_query.Node) string {
	switch {
	case n == nil:
		return "true"
	case n.GetInteger() != nil:
		return strconv.FormatInt(int64(n.GetInteger().Ival), 10)
	case n.GetFloat() != nil:
		return n.GetFloat().Fval
	case n.GetString_() != nil:
		return n.GetString_().Sval
	case n.GetBoolean() != nil:
		return strconv.FormatBool(n.GetBoolean().Boolval)
	case n.GetTypeName() != nil && len(n.GetTypeName().Names) > 0:
		if s := n.GetTypeName().Names[len(n.GetTypeName().Names)-1].GetString_(); s != nil {
			return s.Sval
		}
	}
	return fmt.Sprint(n)
}

// walk calls fn on every *pg_query.Node below m, children before their parent, so fn may
// replace a node's content.
func walk(m protoreflect.Message, fn func(*pg_query.Node)) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind || fd.IsMap() {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := range l.Len() {
				visit(l.Get(i).Message(), fn)
			}
			return true
		}
		visit(v.Message(), fn)
		return true
	})
}

func visit(m protoreflect.Message, fn func(*pg_query.Node)) {
	walk(m, fn)
	if n, ok := m.Interface().(*pg_query.Node); ok {
		fn(n)
	}
}
