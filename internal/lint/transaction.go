package lint

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/migfiles"
)

// txState is what the statements before this one did in the same transaction: the locks they
// hold until it commits.
type txState struct {
	id         int
	locks      map[tableKey]heldLock
	newColumns map[tableChild]bool // added in this transaction
	enumLabels map[string]string   // label → its type, for ALTER TYPE … ADD VALUE in this transaction
	disabled   map[tableKey]string // tables whose triggers this transaction disabled → which
}

// heldLock is a lock a statement took and holds until commit.
type heldLock struct{ lock, by string }

func newTxState(id int) *txState {
	return &txState{id: id, locks: map[tableKey]heldLock{}, newColumns: map[tableChild]bool{},
		enumLabels: map[string]string{}, disabled: map[tableKey]string{}}
}

// lockRank orders PostgreSQL's table locks by strength (its lock mode numbers).
var lockRank = map[string]int{
	"ACCESS SHARE": 1, "ROW SHARE": 2, "ROW EXCLUSIVE": 3, "SHARE UPDATE EXCLUSIVE": 4,
	"SHARE": 5, "SHARE ROW EXCLUSIVE": 6, "EXCLUSIVE": 7, "ACCESS EXCLUSIVE": 8,
}

var lockNames = func() map[int32]string {
	m := map[int32]string{}
	for name, rank := range lockRank {
		m[int32(rank)] = name
	}
	return m
}()

// hold records a lock the current statement keeps on an existing table until its transaction
// ends. A table created earlier in the set is nobody else's.
func (c *checker) hold(t tableKey, lock, by string) {
	if c.set.created[t] {
		return
	}
	if cur, ok := c.txn.locks[t]; !ok || lockRank[lock] > lockRank[cur.lock] {
		c.txn.locks[t] = heldLock{lock: lock, by: by}
	}
}

// transaction reports the file's own transaction statements when they go wrong for the tool
// that runs it (runner.blockProblem), once per file.
func (c *checker) nesting(st fingerprint.Statement) []hit {
	if c.nestingReported || c.body != nil {
		return nil
	}
	i, detail := c.run.blockProblem(c.mig, c.mig.NoTransaction || c.file.NoTransaction)
	if i != st.Index {
		return nil
	}
	c.nestingReported = true
	return []hit{{rule: transactionNesting, detail: detail}}
}

// refusing judges a statement PostgreSQL refuses in a transaction block (CONCURRENTLY, VACUUM):
// an error where it will run in one (a goose or dbmate file without its marker, the file's own
// BEGIN … COMMIT, a DO block); a warning where steady runs the whole file outside a
// transaction for it, so that its other statements lose their all-or-nothing.
func (c *checker) refusing(st fingerprint.Statement) []hit {
	what, _, _ := strings.Cut(strings.TrimSpace(st.SQL), "\n")
	if len(what) > 70 {
		what = what[:70] + "…"
	}
	fail := func(where string) []hit {
		return []hit{{rule: banConcurrentIndexCreationInTransaction, severity: ptr(Error),
			detail: fmt.Sprintf("%s %s: PostgreSQL refuses it there (25001, cannot run inside a transaction block), so the migration fails", what, where)}}
	}
	switch {
	case c.body != nil:
		return fail("inside a DO block, which runs as a function in a transaction")
	case c.run.wrapped:
		return fail(fmt.Sprintf("in a %s file without %s: %s runs the file in a transaction", c.run.tool, c.run.marker, c.run.tool))
	case c.run.inBlock(c.mig, st.Index):
		return fail("inside the file's own BEGIN … COMMIT")
	}
	if c.mig.NoTransaction || c.file.NoTransaction {
		return nil
	}
	others := 0
	for _, o := range c.mig.Statements {
		if transactionKind(o.Tree) == txNone && o.Index != st.Index {
			others++
		}
	}
	if others == 0 {
		return nil // alone in its file: running it outside a transaction is what the author meant
	}
	detail := fmt.Sprintf("%s among %d other statements (no -- steady:no-transaction): steady runs the whole file outside a transaction", what, others)
	switch c.file.Format {
	case migfiles.FormatGolangMigrate:
		detail += "; golang-migrate itself sends the file as one multi-statement query, which PostgreSQL refuses for it (25001)"
	case migfiles.FormatFlyway:
		detail += "; Flyway itself refuses a file that mixes it with transactional statements unless mixed=true"
	}
	return []hit{{rule: banConcurrentIndexCreationInTransaction, detail: detail}}
}

// addEnumValue remembers a label ALTER TYPE … ADD VALUE adds in this transaction.
func (c *checker) addEnumValue(s *pg_query.AlterEnumStmt) {
	if s.NewVal == "" || s.OldVal != "" {
		return // RENAME VALUE
	}
	c.txn.enumLabels[s.NewVal] = strings.Join(names(s.TypeName), ".")
}

// enumUse finds a label added by ALTER TYPE … ADD VALUE earlier in the same transaction:
// PostgreSQL refuses to use it before the transaction commits (55P04, unsafe use of new value).
func (c *checker) enumUse(n *pg_query.Node) []hit {
	if len(c.txn.enumLabels) == 0 || n.GetAlterEnumStmt() != nil {
		return nil
	}
	var hits []hit
	seen := map[string]bool{}
	walk(n, func(n *pg_query.Node) {
		s := n.GetAConst().GetSval()
		if s == nil {
			return
		}
		typ, ok := c.txn.enumLabels[s.Sval]
		if !ok || seen[s.Sval] {
			return
		}
		seen[s.Sval] = true
		hits = append(hits, hit{rule: newEnumValueUsedInTransaction, offset: int(n.GetAConst().Location),
			detail: fmt.Sprintf("'%s' is used in the transaction whose ALTER TYPE %s ADD VALUE added it", s.Sval, typ)})
	})
	if c.body != nil {
		for i := range hits {
			hits[i].offset = 0 // body locations are not file offsets; doBlock places them
		}
	}
	return hits
}

func names(ns []*pg_query.Node) []string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		out = append(out, n.GetString_().GetSval())
	}
	return out
}
