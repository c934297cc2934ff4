package fingerprint

import (
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// createView derives CREATE [OR REPLACE] VIEW: the view, with its output columns when the
// statement tells them all.
func createView(s *pg_query.ViewStmt) []Effect {
	effects := relEffect(KindView, s.View)
	if len(effects) == 1 {
		effects[0].Columns = viewColumns(s.Aliases, s.Query)
	}
	return effects
}

// viewColumns names a view's output columns as PostgreSQL does: the view's column list first,
// then each remaining target's alias, column name or function name. nil when one of them is
// not certain (SELECT *, an expression PostgreSQL would name "?column?" …): the view is then
// checked for existence only.
func viewColumns(aliases []*pg_query.Node, query *pg_query.Node) []string {
	names := selectColumns(query.GetSelectStmt())
	given := stringList(aliases)
	if len(given) != len(aliases) || len(given) > len(names) {
		return nil
	}
	if names == nil {
		return nil
	}
	copy(names, given)
	for _, n := range names {
		if n == "" {
			return nil
		}
	}
	return names
}

// selectColumns names the output columns of a SELECT; an unknown name is "". nil when even
// their number is unknown.
func selectColumns(s *pg_query.SelectStmt) []string {
	switch {
	case s == nil:
		return nil
	case s.Op != pg_query.SetOperation_SETOP_NONE:
		return selectColumns(s.Larg) // a set operation takes its names from its first arm
	case len(s.ValuesLists) > 0:
		n := len(s.ValuesLists[0].GetList().GetItems())
		names := make([]string, n)
		for i := range names {
			names[i] = "column" + strconv.Itoa(i+1)
		}
		return names
	}
	names := make([]string, 0, len(s.TargetList))
	for _, t := range s.TargetList {
		rt := t.GetResTarget()
		if rt == nil {
			return nil
		}
		if ref := rt.Val.GetColumnRef(); ref != nil {
			if _, star := ref.Fields[len(ref.Fields)-1].Node.(*pg_query.Node_AStar); star {
				return nil // SELECT *, t.*: as many columns as the tables have
			}
		}
		name := rt.Name
		if name == "" {
			var known bool
			if name, known = targetColname(rt.Val); !known {
				name = ""
			}
		}
		names = append(names, name)
	}
	return names
}

// targetColname mirrors FigureColname (parse_target.c), which names a target without an
// alias: known is false for a node it does not mirror.
func targetColname(n *pg_query.Node) (name string, known bool) {
	name, strength, known := targetColnameInternal(n)
	if !known {
		return "", false
	}
	if strength == 0 {
		return "?column?", true
	}
	return name, true
}

// targetColnameInternal mirrors FigureColnameInternal: a name and its strength (2 for a
// column or function name, 1 for a fallback such as a cast's type name, 0 for none).
func targetColnameInternal(n *pg_query.Node) (string, int, bool) {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_ColumnRef:
		fields := x.ColumnRef.Fields
		if s := fields[len(fields)-1].GetString_(); s != nil {
			return s.Sval, 2, true
		}
	case *pg_query.Node_FuncCall:
		names := stringList(x.FuncCall.Funcname)
		return names[len(names)-1], 2, true
	case *pg_query.Node_AExpr:
		if x.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF {
			return "nullif", 2, true
		}
		return "", 0, true
	case *pg_query.Node_AConst, *pg_query.Node_BoolExpr, *pg_query.Node_NullTest,
		*pg_query.Node_BooleanTest, *pg_query.Node_ParamRef:
		return "", 0, true
	case *pg_query.Node_TypeCast:
		name, strength, known := targetColnameInternal(x.TypeCast.Arg)
		if !known {
			return "", 0, false
		}
		if strength <= 1 {
			if names := stringList(x.TypeCast.GetTypeName().GetNames()); len(names) > 0 {
				return names[len(names)-1], 1, true
			}
		}
		return name, strength, true
	case *pg_query.Node_CollateClause:
		return targetColnameInternal(x.CollateClause.Arg)
	case *pg_query.Node_CaseExpr:
		return "case", 1, true
	case *pg_query.Node_AArrayExpr:
		return "array", 2, true
	case *pg_query.Node_RowExpr:
		return "row", 2, true
	case *pg_query.Node_CoalesceExpr:
		return "coalesce", 2, true
	case *pg_query.Node_MinMaxExpr:
		if x.MinMaxExpr.Op == pg_query.MinMaxOp_IS_GREATEST {
			return "greatest", 2, true
		}
		return "least", 2, true
	case *pg_query.Node_SqlvalueFunction:
		if name, ok := sqlValueFunctionNames[x.SqlvalueFunction.Op]; ok {
			return name, 2, true
		}
	}
	return "", 0, false
}

var sqlValueFunctionNames = map[pg_query.SQLValueFunctionOp]string{
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:        "current_date",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME:        "current_time",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N:      "current_time",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP:   "current_timestamp",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N: "current_timestamp",
	pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME:           "localtime",
	pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME_N:         "localtime",
	pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP:      "localtimestamp",
	pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:    "localtimestamp",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:        "current_role",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER:        "current_user",
	pg_query.SQLValueFunctionOp_SVFOP_USER:                "user",
	pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER:        "session_user",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:     "current_catalog",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:      "current_schema",
}
