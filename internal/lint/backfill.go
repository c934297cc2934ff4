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
	// An UPDATE that fills a column added earlier in the transaction is a backfill whatever its
	// WHERE: the new column is empty in every row, so even WHERE status = 'x' writes a share of
	// the table that nothing bounds, under the ALTER's lock.
	fills := ""
	for col := range set {
		if c.txn.newColumns[tableChild{t, col}] {
			fills = col
			break
		}
	}
	_, held := c.txn.locks[t]
	if !unselective(where) && (fills == "" || !held || batched(where)) {
		return nil
	}
	what := fmt.Sprintf("%s of every row of %s", verb, t)
	switch {
	case where != nil && !unselective(where):
		what = fmt.Sprintf("%s of %s filling %s, a column added in the same transaction (its WHERE holds no key range, so nothing bounds how many rows need it)", verb, t, fills)
	case where != nil:
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

// batched reports a WHERE that bounds the rows by their key, as a batch does: a range test
// (<, <=, >, >=, BETWEEN) on any column, or = or IN on a column named id, in a conjunct.
func batched(n *pg_query.Node) bool {
	switch e := n.Node.(type) {
	case *pg_query.Node_BoolExpr:
		if e.BoolExpr.Boolop != pg_query.BoolExprType_AND_EXPR {
			return false
		}
		for _, a := range e.BoolExpr.Args {
			if batched(a) {
				return true
			}
		}
	case *pg_query.Node_AExpr:
		switch op := opName(e.AExpr); {
		case e.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN:
			return true
		case e.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_OP && (op == "<" || op == "<=" || op == ">" || op == ">="):
			return true
		case (e.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_OP && op == "=") || e.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_IN:
			if ref := e.AExpr.Lexpr.GetColumnRef(); ref != nil && len(ref.Fields) > 0 {
				return ref.Fields[len(ref.Fields)-1].GetString_().GetSval() == "id"
			}
		}
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
