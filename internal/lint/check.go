package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/steadydb/steady/internal/fingerprint"
)

// hit is a rule broken by a statement, before the table decides what it is worth.
type hit struct {
	rule   *Rule
	table  *tableKey // the table locked; nil when not about a table, or unknown
	offset int       // byte offset of the part at fault; 0: the statement's start
	detail string
	lock   string // when not the rule's
	why    string // when not the rule's
	work   *work  // when not the rule's
}

// constraintInfo is a constraint added NOT VALID.
type constraintInfo struct {
	foreign    bool
	referenced tableKey
}

// checker applies the rules to the statements of one file, in order.
type checker struct {
	file     *fingerprint.Migration
	set      *setState
	notValid map[tableChild]constraintInfo // added NOT VALID earlier in this file
}

func (c *checker) statement(st fingerprint.Statement) []hit {
	var hits []hit
	switch n := st.Tree.Node.(type) {
	case *pg_query.Node_IndexStmt:
		hits = c.createIndex(n.IndexStmt)
	case *pg_query.Node_DropStmt:
		hits = c.drop(n.DropStmt)
	case *pg_query.Node_AlterTableStmt:
		hits = c.alterTable(n.AlterTableStmt, st)
	case *pg_query.Node_RenameStmt:
		hits = c.rename(n.RenameStmt)
	case *pg_query.Node_TransactionStmt:
		hits = c.transaction(n.TransactionStmt)
	case *pg_query.Node_ReindexStmt:
		if c.mixesConcurrently() && slices.ContainsFunc(n.ReindexStmt.Params, func(p *pg_query.Node) bool {
			return p.GetDefElem().GetDefname() == "concurrently"
		}) {
			hits = append(hits, hit{rule: banConcurrentIndexCreationInTransaction, detail: "REINDEX CONCURRENTLY among other statements"})
		}
	}
	if h, ok := c.robust(st); ok {
		hits = append(hits, h)
	}
	return hits
}

// relKey names a relation; nil for a temporary one, which no other session can be using.
func relKey(rv *pg_query.RangeVar) *tableKey {
	if rv == nil || rv.Relpersistence == "t" {
		return nil
	}
	return &tableKey{cmp.Or(rv.Schemaname, "public"), rv.Relname}
}

func qualifiedKey(names []*pg_query.Node) *tableKey {
	var parts []string
	for _, n := range names {
		parts = append(parts, n.GetString_().GetSval())
	}
	switch len(parts) {
	case 1:
		return &tableKey{"public", parts[0]}
	case 2, 3:
		return &tableKey{parts[len(parts)-2], parts[len(parts)-1]}
	}
	return nil
}

func (c *checker) createIndex(s *pg_query.IndexStmt) []hit {
	table := relKey(s.Relation)
	if table == nil {
		return nil
	}
	kind := "INDEX"
	if s.Unique {
		kind = "UNIQUE INDEX"
	}
	name := cmpStr(s.Idxname, "(unnamed)")
	if s.Concurrent {
		if !c.mixesConcurrently() {
			return nil
		}
		return []hit{{rule: banConcurrentIndexCreationInTransaction,
			detail: fmt.Sprintf("CREATE %s CONCURRENTLY %s on %s among other statements (no -- steady:no-transaction)", kind, name, table)}}
	}
	return []hit{{rule: requireConcurrentIndexCreation, table: table,
		detail: fmt.Sprintf("CREATE %s %s on %s without CONCURRENTLY", kind, name, table)}}
}

// mixesConcurrently: a file with a CONCURRENTLY statement runs outside a transaction, statement
// by statement (steady detects it, as golang-migrate and Flyway users expect). Alone in its file
// that is what the author meant; among other statements it silently costs them their
// all-or-nothing, unless the file says -- steady:no-transaction.
func (c *checker) mixesConcurrently() bool {
	return !c.file.NoTransaction && len(c.file.Statements) > 1
}

func (c *checker) drop(s *pg_query.DropStmt) []hit {
	var hits []hit
	switch s.RemoveType {
	case pg_query.ObjectType_OBJECT_TABLE:
		for _, o := range s.Objects {
			if t := qualifiedKey(o.GetList().GetItems()); t != nil {
				hits = append(hits, hit{rule: banDropTable, table: t, detail: "DROP TABLE " + t.String()})
			}
		}
	case pg_query.ObjectType_OBJECT_INDEX:
		if s.Concurrent {
			if c.mixesConcurrently() {
				hits = append(hits, hit{rule: banConcurrentIndexCreationInTransaction,
					detail: "DROP INDEX CONCURRENTLY among other statements (no -- steady:no-transaction)"})
			}
			return hits
		}
		for _, o := range s.Objects {
			idx := qualifiedKey(o.GetList().GetItems())
			if idx == nil {
				continue
			}
			h := hit{rule: requireConcurrentIndexDeletion, detail: "DROP INDEX " + idx.String() + " without CONCURRENTLY"}
			if t, ok := c.set.indexTable(*idx); ok {
				h.table = &t
				h.detail += " (on " + t.String() + ")"
			} else if c.set.snap != nil {
				continue // not in the catalog: there is nothing to lock
			}
			hits = append(hits, h)
		}
	}
	return hits
}

func (c *checker) rename(s *pg_query.RenameStmt) []hit {
	table := relKey(s.Relation)
	if table == nil {
		return nil
	}
	switch {
	case s.RenameType == pg_query.ObjectType_OBJECT_COLUMN && s.RelationType == pg_query.ObjectType_OBJECT_TABLE:
		return []hit{{rule: renamingColumn, table: table,
			detail: fmt.Sprintf("RENAME COLUMN %s TO %s on %s", s.Subname, s.Newname, table)}}
	case s.RenameType == pg_query.ObjectType_OBJECT_TABLE:
		return []hit{{rule: renamingTable, table: table, detail: fmt.Sprintf("RENAME TABLE %s TO %s", table, s.Newname)}}
	}
	return nil
}

func (c *checker) transaction(s *pg_query.TransactionStmt) []hit {
	if c.file.NoTransaction {
		return nil
	}
	word := map[pg_query.TransactionStmtKind]string{
		pg_query.TransactionStmtKind_TRANS_STMT_BEGIN: "BEGIN", pg_query.TransactionStmtKind_TRANS_STMT_START: "START TRANSACTION",
		pg_query.TransactionStmtKind_TRANS_STMT_COMMIT: "COMMIT", pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK: "ROLLBACK",
		pg_query.TransactionStmtKind_TRANS_STMT_PREPARE: "PREPARE TRANSACTION",
	}[s.Kind]
	if word == "" {
		return nil // SAVEPOINT and friends stay inside steady's transaction
	}
	return []hit{{rule: transactionNesting, detail: word + " in a migration: the file runs unwrapped, as psql runs it"}}
}

func (c *checker) alterTable(s *pg_query.AlterTableStmt, st fingerprint.Statement) []hit {
	table := relKey(s.Relation)
	if s.Objtype != pg_query.ObjectType_OBJECT_TABLE || table == nil {
		return nil
	}
	var hits []hit
	for _, n := range s.Cmds {
		cmd := n.GetAlterTableCmd()
		switch cmd.GetSubtype() {
		case pg_query.AlterTableType_AT_AddColumn:
			hits = append(hits, c.addColumn(*table, cmd.Def.GetColumnDef())...)
		case pg_query.AlterTableType_AT_AddConstraint:
			hits = append(hits, c.addConstraint(*table, cmd.Def.GetConstraint())...)
		case pg_query.AlterTableType_AT_ValidateConstraint:
			hits = append(hits, c.validate(*table, cmd.Name)...)
		case pg_query.AlterTableType_AT_SetNotNull:
			if !c.set.checks[tableChild{*table, cmd.Name}] {
				hits = append(hits, hit{rule: addingNotNullableField, table: table,
					detail: fmt.Sprintf("ALTER COLUMN %s SET NOT NULL on %s", cmd.Name, table)})
			}
		case pg_query.AlterTableType_AT_AlterColumnType:
			hits = append(hits, c.alterType(*table, cmd, st)...)
		case pg_query.AlterTableType_AT_DropColumn:
			hits = append(hits, hit{rule: banDropColumn, table: table, detail: fmt.Sprintf("DROP COLUMN %s of %s", cmd.Name, table)})
		}
	}
	return hits
}

func (c *checker) addColumn(table tableKey, cd *pg_query.ColumnDef) []hit {
	if cd == nil {
		return nil
	}
	at := func(h hit) hit {
		h.table, h.offset = &table, int(cd.Location)
		return h
	}
	var hits []hit
	notNull, hasDefault, rewrite := false, false, ""
	if isSerial(cd.TypeName) {
		hasDefault, rewrite = true, "a serial type (nextval() for each row)"
	}
	for _, n := range cd.Constraints {
		con := n.GetConstraint()
		switch con.GetContype() {
		case pg_query.ConstrType_CONSTR_NOTNULL:
			notNull = true
		case pg_query.ConstrType_CONSTR_DEFAULT:
			hasDefault = true
			if v, f := volatile(con.RawExpr); v {
				rewrite = "DEFAULT " + f
				if !volatileFunctions[strings.TrimSuffix(f, "()")] {
					rewrite += " (steady cannot tell that it is not volatile: if it is stable or immutable, allow this finding)"
				}
			}
		case pg_query.ConstrType_CONSTR_IDENTITY:
			hasDefault, rewrite = true, "an identity (a new value for each row)"
		case pg_query.ConstrType_CONSTR_GENERATED:
			hasDefault, rewrite = true, "a stored generated expression"
		case pg_query.ConstrType_CONSTR_PRIMARY:
			notNull = true
			hits = append(hits, at(hit{rule: addingSerialPrimaryKeyField,
				detail: fmt.Sprintf("ADD COLUMN %s … PRIMARY KEY on %s", cd.Colname, table)}))
		case pg_query.ConstrType_CONSTR_UNIQUE:
			hits = append(hits, at(hit{rule: disallowedUniqueConstraint,
				detail: fmt.Sprintf("ADD COLUMN %s … UNIQUE on %s", cd.Colname, table)}))
		case pg_query.ConstrType_CONSTR_CHECK, pg_query.ConstrType_CONSTR_FOREIGN:
			h := at(hit{rule: constraintMissingNotValid,
				detail: fmt.Sprintf("ADD COLUMN %s with an inline %s on %s: the table is still read to check it", cd.Colname, constraintWord(con), table)})
			if con.Contype == pg_query.ConstrType_CONSTR_FOREIGN {
				h.work = ptr(workForeignKey)
			}
			hits = append(hits, h)
		}
	}
	if notNull && !hasDefault {
		hits = append(hits, at(hit{rule: addingRequiredField,
			detail: fmt.Sprintf("ADD COLUMN %s NOT NULL without a DEFAULT on %s", cd.Colname, table)}))
	}
	if rewrite != "" {
		hits = append(hits, at(hit{rule: addingFieldWithDefault,
			detail: fmt.Sprintf("ADD COLUMN %s with %s on %s: the table is rewritten", cd.Colname, rewrite, table)}))
	}
	return hits
}

func constraintWord(con *pg_query.Constraint) string {
	if con.Contype == pg_query.ConstrType_CONSTR_FOREIGN {
		return "FOREIGN KEY"
	}
	return "CHECK"
}

func (c *checker) addConstraint(table tableKey, con *pg_query.Constraint) []hit {
	if con == nil {
		return nil
	}
	name := cmpStr(con.Conname, "(unnamed)")
	h := hit{table: &table, offset: int(con.Location)}
	switch con.Contype {
	case pg_query.ConstrType_CONSTR_CHECK, pg_query.ConstrType_CONSTR_FOREIGN:
		info := constraintInfo{foreign: con.Contype == pg_query.ConstrType_CONSTR_FOREIGN}
		if info.foreign {
			if ref := relKey(con.Pktable); ref != nil {
				info.referenced = *ref
			}
		}
		col := notNullColumn(con)
		if con.SkipValidation {
			if con.Conname != "" {
				c.notValid[tableChild{table, con.Conname}] = info
				if col != "" {
					c.set.notNullChecks[tableChild{table, con.Conname}] = col
				}
			}
			return nil
		}
		if col != "" {
			c.set.checks[tableChild{table, col}] = true
		}
		h.rule = constraintMissingNotValid
		h.detail = fmt.Sprintf("ADD CONSTRAINT %s %s on %s without NOT VALID", name, constraintWord(con), table)
		if info.foreign {
			h.work = ptr(workForeignKey)
			h.lock = fmt.Sprintf("SHARE ROW EXCLUSIVE on %s and %s", table, info.referenced)
		}
	case pg_query.ConstrType_CONSTR_UNIQUE:
		if con.Indexname != "" {
			return nil // USING INDEX: the index is built already, this is instant
		}
		h.rule = disallowedUniqueConstraint
		h.detail = fmt.Sprintf("ADD CONSTRAINT %s UNIQUE on %s builds its index under the lock", name, table)
	case pg_query.ConstrType_CONSTR_PRIMARY:
		if con.Indexname != "" {
			return nil
		}
		h.rule = addingSerialPrimaryKeyField
		h.detail = fmt.Sprintf("ADD CONSTRAINT %s PRIMARY KEY on %s builds its index under the lock", name, table)
	default:
		return nil
	}
	return []hit{h}
}

// notNullColumn is col for CHECK (col IS NOT NULL), the check SET NOT NULL can rely on.
func notNullColumn(con *pg_query.Constraint) string {
	if con.Contype != pg_query.ConstrType_CONSTR_CHECK {
		return ""
	}
	nt := con.RawExpr.GetNullTest()
	if nt == nil || nt.Nulltesttype != pg_query.NullTestType_IS_NOT_NULL {
		return ""
	}
	fields := nt.Arg.GetColumnRef().GetFields()
	if len(fields) != 1 {
		return ""
	}
	return fields[0].GetString_().GetSval()
}

func (c *checker) validate(table tableKey, name string) []hit {
	if col, ok := c.set.notNullChecks[tableChild{table, name}]; ok {
		c.set.checks[tableChild{table, col}] = true
	}
	info, ok := c.notValid[tableChild{table, name}]
	if !ok || c.file.NoTransaction {
		return nil // validated in its own transaction: SHARE UPDATE EXCLUSIVE, reads and writes go on
	}
	h := hit{rule: constraintMissingNotValid, table: &table,
		detail: fmt.Sprintf("VALIDATE CONSTRAINT %s on %s in the transaction that added it NOT VALID", name, table),
		why:    "VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID reads every row while the ADD's lock is still held (it is released only at commit).",
		lock:   "ACCESS EXCLUSIVE (the ADD CONSTRAINT's, held until commit)"}
	if info.foreign {
		h.work = ptr(workForeignKey)
		h.lock = fmt.Sprintf("SHARE ROW EXCLUSIVE on %s and %s (the ADD CONSTRAINT's, held until commit)", table, info.referenced)
	}
	return []hit{h}
}

func (c *checker) alterType(table tableKey, cmd *pg_query.AlterTableCmd, st fingerprint.Statement) []hit {
	col := cmd.Name
	newType := ""
	for _, e := range st.Effects {
		if e.Object.Kind == fingerprint.KindColumn && e.Object.Name == col && e.Type != "" {
			newType = e.Type
		}
	}
	using := cmd.Def.GetColumnDef().GetRawDefault() != nil
	oldType := c.set.columnType(tableChild{table, col})
	if !using && newType != "" && oldType != "" && binaryCoercible(oldType, newType) {
		return nil
	}
	detail := fmt.Sprintf("ALTER COLUMN %s TYPE %s on %s", col, cmpStr(newType, "(a type)"), table)
	switch {
	case using:
		detail += " USING an expression: the table is rewritten"
	case oldType == "":
		detail += ": the column's current type is not known here, so steady cannot tell a binary-coercible change from a rewrite (with --database it can)"
	default:
		detail += fmt.Sprintf(" (from %s): the table is rewritten", oldType)
	}
	return []hit{{rule: changingColumnType, table: &table, detail: detail}}
}

// robust reports an unverifiable statement that a partial run would run a second time and
// that is not safe to. A migration without any statement the catalog can check is never
// partial (it runs whole, once), unless it runs outside a transaction, where a failure halfway
// leaves its first statements applied.
func (c *checker) robust(st fingerprint.Statement) (hit, bool) {
	if st.Verifiable() || rerunnable(st.Tree) {
		return hit{}, false
	}
	if !c.file.NoTransaction && !slices.ContainsFunc(c.file.Statements, fingerprint.Statement.Verifiable) {
		return hit{}, false
	}
	first, _, _ := strings.Cut(strings.TrimSpace(st.SQL), "\n")
	if len(first) > 60 {
		first = first[:60] + "…"
	}
	return hit{rule: preferRobustStmts, lock: statementLock(st.Tree),
		detail: first + ": not rerunnable, and the catalog cannot show whether it ran"}, true
}

func statementLock(n *pg_query.Node) string {
	switch n.Node.(type) {
	case *pg_query.Node_InsertStmt, *pg_query.Node_UpdateStmt, *pg_query.Node_DeleteStmt:
		return "ROW EXCLUSIVE"
	case *pg_query.Node_DoStmt, *pg_query.Node_CallStmt:
		return "whatever its body takes"
	}
	return "depends on the statement"
}

// rerunnable reports a statement that can run twice with the effect of once.
func rerunnable(n *pg_query.Node) bool {
	switch s := n.Node.(type) {
	case *pg_query.Node_InsertStmt:
		return s.InsertStmt.OnConflictClause != nil || hasNotExists(s.InsertStmt.SelectStmt)
	case *pg_query.Node_UpdateStmt:
		return updateRerunnable(s.UpdateStmt)
	case *pg_query.Node_IndexStmt:
		return s.IndexStmt.IfNotExists
	case *pg_query.Node_DropStmt:
		return s.DropStmt.MissingOk
	case *pg_query.Node_CreateStmt:
		return s.CreateStmt.IfNotExists || s.CreateStmt.GetRelation().GetRelpersistence() == "t"
	case *pg_query.Node_CreateTableAsStmt:
		return s.CreateTableAsStmt.IfNotExists || s.CreateTableAsStmt.GetInto().GetRel().GetRelpersistence() == "t"
	case *pg_query.Node_CreateSeqStmt:
		return s.CreateSeqStmt.IfNotExists
	case *pg_query.Node_CreateExtensionStmt:
		return s.CreateExtensionStmt.IfNotExists
	case *pg_query.Node_CreateSchemaStmt:
		return s.CreateSchemaStmt.IfNotExists
	case *pg_query.Node_CreateFunctionStmt:
		return s.CreateFunctionStmt.Replace
	case *pg_query.Node_ViewStmt:
		return s.ViewStmt.Replace
	case *pg_query.Node_CreateTrigStmt:
		return s.CreateTrigStmt.Replace
	case *pg_query.Node_DeleteStmt, *pg_query.Node_CommentStmt, *pg_query.Node_GrantStmt,
		*pg_query.Node_GrantRoleStmt, *pg_query.Node_AlterDefaultPrivilegesStmt, *pg_query.Node_VariableSetStmt,
		*pg_query.Node_SelectStmt, *pg_query.Node_TruncateStmt, *pg_query.Node_RefreshMatViewStmt,
		*pg_query.Node_VacuumStmt, *pg_query.Node_ReindexStmt, *pg_query.Node_ClusterStmt,
		*pg_query.Node_AlterOwnerStmt, *pg_query.Node_AlterTableStmt, *pg_query.Node_AlterSeqStmt,
		*pg_query.Node_AlterFunctionStmt, *pg_query.Node_AlterRoleSetStmt, *pg_query.Node_AlterDatabaseSetStmt,
		*pg_query.Node_NotifyStmt, *pg_query.Node_LockStmt, *pg_query.Node_CheckPointStmt,
		*pg_query.Node_DiscardStmt, *pg_query.Node_ExplainStmt, *pg_query.Node_TransactionStmt,
		*pg_query.Node_SecLabelStmt, *pg_query.Node_AlterEnumStmt:
		return true
	}
	return false
}

// updateRerunnable: a WHERE that names a column the UPDATE sets skips the rows already done
// ("WHERE x IS NULL"); otherwise values that read none of the columns set and call nothing
// volatile come out the same the second time.
func updateRerunnable(u *pg_query.UpdateStmt) bool {
	set := map[string]bool{}
	for _, t := range u.TargetList {
		set[t.GetResTarget().GetName()] = true
	}
	if references(u.WhereClause, set) {
		return true
	}
	for _, t := range u.TargetList {
		val := t.GetResTarget().GetVal()
		if references(val, set) {
			return false
		}
		volatileCall := false
		walk(val, func(n *pg_query.Node) {
			if f := n.GetFuncCall(); f != nil && volatileFunctions[funcName(f)] {
				volatileCall = true
			}
		})
		if volatileCall {
			return false
		}
	}
	return true
}

// references reports whether the expression names one of the columns.
func references(n *pg_query.Node, cols map[string]bool) bool {
	found := false
	walk(n, func(n *pg_query.Node) {
		if fields := n.GetColumnRef().GetFields(); len(fields) > 0 && cols[fields[len(fields)-1].GetString_().GetSval()] {
			found = true
		}
	})
	return found
}

// hasNotExists reports a WHERE NOT EXISTS (…) anywhere in the statement: the usual guard of an
// INSERT … SELECT.
func hasNotExists(n *pg_query.Node) bool {
	found := false
	walk(n, func(n *pg_query.Node) {
		b := n.GetBoolExpr()
		if b != nil && b.Boolop == pg_query.BoolExprType_NOT_EXPR && len(b.Args) == 1 &&
			b.Args[0].GetSubLink().GetSubLinkType() == pg_query.SubLinkType_EXISTS_SUBLINK {
			found = true
		}
	})
	return found
}

func ptr[T any](v T) *T { return &v }
