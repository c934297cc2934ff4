package indexdef

import (
	"fmt"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/steadydb/steady/internal/sqlexpr"
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
			sqlexpr.Normalize(e.Expr) // an expression it cannot normalise stays as written: different
		}
	}
	for _, o := range c.Options {
		if d := o.GetDefElem(); d != nil {
			d.Defname = strings.ToLower(d.Defname)
			d.Arg = &pg_query.Node{Node: &pg_query.Node_String_{String_: &pg_query.String{Sval: optionValue(d.Arg)}}}
		}
	}
	if c.WhereClause != nil {
		sqlexpr.Normalize(c.WhereClause)
	}
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
