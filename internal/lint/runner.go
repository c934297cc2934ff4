package lint

import (
	"fmt"
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migfiles"
)

// runner is how the file's tool runs it: in one transaction (wrapped), or statement by
// statement with the file's own BEGIN … COMMIT blocks as its only transactions. The lint judges
// a file as it will run: two statements share a lock only when they share a transaction.
type runner struct {
	tool    string // "steady", "goose", "dbmate", "golang-migrate", "Flyway"
	wrapped bool
	// marker is the way the tool is told not to wrap the file.
	marker string
	// tx numbers the transaction each statement runs in (by Statement.Index); -1 for a
	// transaction statement itself.
	tx []int
	// ownBlocks: the file holds its own BEGIN … COMMIT.
	ownBlocks bool
}

// newRunner decides how a file runs. goose and dbmate wrap each file in a transaction unless
// the file carries their marker, and they do so whatever the file holds (goose then fails on a
// CONCURRENTLY). steady runs the other formats: in a transaction, unless the file says
// -- steady:no-transaction, holds a statement PostgreSQL refuses in a transaction block
// (golang-migrate and Flyway users rely on that), or holds its own BEGIN … COMMIT (which
// golang-migrate, psql and the Supabase CLI run as written).
func newRunner(f File) *runner {
	m := f.Migration
	r := &runner{tool: "steady", marker: "-- steady:no-transaction"}
	noTx := m.NoTransaction || f.NoTransaction
	for _, st := range m.Statements {
		if transactionKind(st.Tree) != txNone {
			r.ownBlocks = true
		}
	}
	switch f.Format {
	case migfiles.FormatGoose:
		r.tool, r.marker, r.wrapped = "goose", "-- +goose NO TRANSACTION", !noTx
	case migfiles.FormatDbmate:
		r.tool, r.marker, r.wrapped = "dbmate", "-- migrate:up transaction:false", !noTx
	default:
		if f.Format == migfiles.FormatGolangMigrate {
			r.tool = "golang-migrate"
		} else if f.Format == migfiles.FormatFlyway {
			r.tool = "Flyway"
		}
		r.wrapped = !noTx && !r.ownBlocks && !slices.ContainsFunc(m.Statements, func(st fingerprint.Statement) bool {
			return refusesTransaction(st.Tree)
		})
	}
	r.tx = make([]int, len(m.Statements))
	next, cur, in := 0, 0, r.wrapped
	for i, st := range m.Statements {
		switch transactionKind(st.Tree) {
		case txBegin:
			if !in {
				next++
				cur, in = next, true
			}
			r.tx[i] = -1
			continue
		case txEnd:
			in = false
			r.tx[i] = -1
			continue
		}
		if !in {
			next++
			cur = next
		}
		r.tx[i] = cur
	}
	return r
}

type txKind int

const (
	txNone txKind = iota
	txBegin
	txEnd
)

func transactionKind(n *pg_query.Node) txKind {
	t := n.GetTransactionStmt()
	if t == nil {
		return txNone
	}
	switch t.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		return txBegin
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT, pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK,
		pg_query.TransactionStmtKind_TRANS_STMT_PREPARE, pg_query.TransactionStmtKind_TRANS_STMT_COMMIT_PREPARED,
		pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_PREPARED:
		return txEnd
	}
	return txNone // SAVEPOINT and friends
}

// refusesTransaction reports a statement PostgreSQL runs only outside a transaction block
// (SQLSTATE 25001), as the migration engine detects them.
func refusesTransaction(n *pg_query.Node) bool {
	switch s := n.Node.(type) {
	case *pg_query.Node_VacuumStmt:
		return s.VacuumStmt.IsVacuumcmd
	case *pg_query.Node_CreatedbStmt, *pg_query.Node_DropdbStmt, *pg_query.Node_AlterSystemStmt,
		*pg_query.Node_CreateTableSpaceStmt, *pg_query.Node_DropTableSpaceStmt:
		return true
	case *pg_query.Node_IndexStmt:
		return s.IndexStmt.Concurrent
	case *pg_query.Node_DropStmt:
		return s.DropStmt.Concurrent
	case *pg_query.Node_ReindexStmt:
		return reindexConcurrently(s.ReindexStmt) || s.ReindexStmt.Kind == pg_query.ReindexObjectType_REINDEX_OBJECT_SCHEMA ||
			s.ReindexStmt.Kind == pg_query.ReindexObjectType_REINDEX_OBJECT_DATABASE || s.ReindexStmt.Kind == pg_query.ReindexObjectType_REINDEX_OBJECT_SYSTEM
	case *pg_query.Node_AlterTableStmt:
		for _, c := range s.AlterTableStmt.Cmds {
			if c.GetAlterTableCmd().GetSubtype() == pg_query.AlterTableType_AT_DetachPartition &&
				c.GetAlterTableCmd().GetDef().GetPartitionCmd().GetConcurrent() {
				return true
			}
		}
	}
	return false
}

func reindexConcurrently(s *pg_query.ReindexStmt) bool {
	return slices.ContainsFunc(s.Params, func(p *pg_query.Node) bool { return p.GetDefElem().GetDefname() == "concurrently" })
}

// atomic reports a file that runs as one transaction: wrapped by its tool, or one BEGIN …
// COMMIT of its own around every statement.
func (r *runner) atomic() bool {
	if r.wrapped {
		return true
	}
	id := -1
	for _, t := range r.tx {
		switch {
		case t < 0:
		case id < 0:
			id = t
		case t != id:
			return false
		}
	}
	return r.ownBlocks
}

// inBlock reports a statement inside one of the file's own BEGIN … COMMIT blocks.
func (r *runner) inBlock(m *fingerprint.Migration, i int) bool {
	in := false
	for j, st := range m.Statements {
		switch transactionKind(st.Tree) {
		case txBegin:
			in = true
		case txEnd:
			in = false
		}
		if j == i {
			return in && transactionKind(st.Tree) == txNone
		}
	}
	return false
}

// blockProblem is what is wrong with the file's own transaction statements, and the index of
// the statement to report it on; -1 when nothing is. Under a tool that wraps the file any of
// them is wrong; otherwise a lone block around the file is how psql, golang-migrate and the
// Supabase CLI users make a file all-or-nothing, and only a mix is wrong: statements left
// outside the block (each commits alone), a BEGIN inside a block, a COMMIT without one, a
// block left open at the end, a ROLLBACK.
func (r *runner) blockProblem(m *fingerprint.Migration, marked bool) (int, string) {
	word := func(st fingerprint.Statement) string {
		first, _, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(st.SQL)), " ")
		return strings.TrimSuffix(first, ";")
	}
	if r.wrapped {
		for i, st := range m.Statements {
			if transactionKind(st.Tree) != txNone {
				return i, fmt.Sprintf("%s in a file %s runs in a transaction (it has no %s): it ends %s's transaction early, so a failure after it leaves the file half applied",
					word(st), r.tool, r.marker, r.tool)
			}
		}
		return -1, ""
	}
	if !r.ownBlocks {
		return -1, ""
	}
	in, lastBegin := false, -1
	for i, st := range m.Statements {
		k := transactionKind(st.Tree)
		switch {
		case k == txBegin && in:
			return i, word(st) + " inside the file's own transaction block: PostgreSQL ignores it (a warning) and the first COMMIT ends the block early"
		case k == txBegin:
			in, lastBegin = true, i
		case k == txEnd && !in:
			return i, word(st) + " with no BEGIN before it: the statements before it have each committed alone already"
		case k == txEnd && st.Tree.GetTransactionStmt().Kind == pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
			return i, "ROLLBACK: the file undoes its own block, yet the migration is recorded as applied"
		case k == txEnd:
			in = false
		case !in && !marked && !refusesTransaction(st.Tree):
			return i, "a statement outside the file's own BEGIN … COMMIT: it commits alone, so a failure later leaves the file half applied"
		}
	}
	if in {
		return lastBegin, "BEGIN with no COMMIT: the block is left open, and a session that ends with it open rolls it back"
	}
	return -1, ""
}
