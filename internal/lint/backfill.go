package lint

import (
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// A data change of a whole table in a migration: every row is written (or deleted) in one
// transaction, each row stays locked until it commits, and when an ALTER TABLE on the same
// table ran earlier in that transaction, its lock is held for the whole of it.

func (c *checker) update(u *pg_query.UpdateStmt) []hit {
	t := relKey(u.Relation)
	if t == nil {
		return nil
	}
	set := map[string]bool{}
	for _, r := range u.TargetList {
		set[r.GetResTarget().GetName()] = true
	}
	return c.dataChange(*t, "UPDATE", u.WhereClause, set)
}

func (c *checker) delete(d *pg_query.DeleteStmt) []hit {
	t := relKey(d.Relation)
	if t == nil {
		return nil
	}
	return c.dataChange(*t, "DELETE", d.WhereClause, nil)
}

func (c *checker) dataChange(t tableKey, verb string, where *pg_query.Node, set map[string]bool) []hit {
	if !unselective(where) {
		return nil
	}
	what := fmt.Sprintf("%s of every row of %s", verb, t)
	if where != nil {
		what = fmt.Sprintf("%s of %s whose WHERE does not narrow it to a few rows (only IS NULL, <> or column-to-column tests)", verb, t)
	}
	if held, ok := c.txn.locks[t]; ok {
		h := hit{rule: backfillInDDLTransaction, table: &t,
			lock:   fmt.Sprintf("%s (taken by the %s before it in the same transaction, held until commit)", held.lock, held.by),
			detail: what + " in the transaction of the " + held.by + " on it: the rows are written while its lock is held"}
		if trig, ok := c.txn.disabled[t]; ok {
			h.detail += fmt.Sprintf("; with trigger %s disabled, these rows also skip what it does", trig)
		}
		return []hit{h}
	}
	return []hit{{rule: unbatchedBackfill, table: &t, detail: what + " in one transaction"}}
}

// unselective reports a WHERE that likely keeps most rows: none at all, or one built only of
// IS [NOT] NULL tests, <> tests, boolean constants, NOT and column-to-column comparisons (a
// join backfill). Any comparison of a column with a value counts as selective, as does what
// it cannot read: a false alarm costs more trust than a missed rare case.
func unselective(n *pg_query.Node) bool {
	if n == nil {
		return true
	}
	switch e := n.Node.(type) {
	case *pg_query.Node_NullTest:
		return true
	case *pg_query.Node_AConst:
		return e.AConst.GetBoolval() != nil && e.AConst.GetBoolval().Boolval
	case *pg_query.Node_BoolExpr:
		switch e.BoolExpr.Boolop {
		case pg_query.BoolExprType_AND_EXPR:
			for _, a := range e.BoolExpr.Args {
				if !unselective(a) {
					return false
				}
			}
			return true
		case pg_query.BoolExprType_OR_EXPR:
			for _, a := range e.BoolExpr.Args {
				if unselective(a) {
					return true
				}
			}
			return false
		}
		return unselective(e.BoolExpr.Args[0])
	case *pg_query.Node_AExpr:
		op := opName(e.AExpr)
		if e.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_DISTINCT || op == "<>" || op == "!=" {
			return true
		}
		return e.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_OP && op == "=" &&
			e.AExpr.Lexpr.GetColumnRef() != nil && e.AExpr.Rexpr.GetColumnRef() != nil
	}
	return false
}

func opName(e *pg_query.A_Expr) string {
	n := e.GetName()
	if len(n) == 0 {
		return ""
	}
	return n[len(n)-1].GetString_().GetSval()
}
