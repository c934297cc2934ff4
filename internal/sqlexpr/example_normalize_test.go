package sqlexpr_test

import (
	"fmt"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/steadydb/steady/internal/sqlexpr"
)

// The predicate of an index as a migration writes it and as pg_get_indexdef prints it back.
func ExampleNormalize() {
	canonical := func(expr string) string {
		tree, err := pg_query.Parse("SELECT " + expr)
		if err != nil {
			panic(err)
		}
		target := tree.Stmts[0].Stmt.GetSelectStmt().TargetList[0].GetResTarget()
		if !sqlexpr.Normalize(target.Val) {
			return "not comparable"
		}
		out, err := pg_query.Deparse(tree)
		if err != nil {
			panic(err)
		}
		return out
	}
	written := canonical(`jobs.is_deleted IS FALSE AND state IN ('QUEUED', 'DONE')`)
	printed := canonical(`((is_deleted IS FALSE) AND ((state)::text = ANY ((ARRAY['QUEUED'::character varying, 'DONE'::character varying])::text[])))`)
	fmt.Println(written == printed)
	fmt.Println(written)
	fmt.Println(canonical(`count(*) > 1`))
	// Output:
	// true
	// SELECT is_deleted IS FALSE AND state = ANY(ARRAY['QUEUED', 'DONE'])
	// not comparable
}
