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
	view   bool   // table is a materialized view
	// dynamic: the table is named at run time (dynamic SQL in a DO block): it cannot be looked
	// up, and is taken to exist.
	dynamic  bool
	severity *Severity // when neither the rule nor the table decides it
}

// constraintInfo is a constraint added NOT VALID.
type constraintInfo struct {
	foreign    bool
	referenced tableKey
	tx         int // the transaction that added it
}

// checker applies the rules to the statements of one file, in order.
type checker struct {
	l        *Linter
	file     File
	mig      *fingerprint.Migration
	run      *runner
	set      *setState
	notValid map[tableChild]constraintInfo // added NOT VALID earlier in this file
	// droppedConstraints are the constraints this file dropped so far, by schema and name: the
	// index that backed one (same name) went with it.
	droppedConstraints map[tableKey]bool
	txn                *txState // the transaction the current statement runs in
	// body is set while the statements of a DO block are checked: they run inside a function,
	// in the block's transaction; its offset places their findings.
	body *bodyContext
	// nesting is reported once per file.
	nestingReported bool
}

func newChecker(l *Linter, f File, s *setState) *checker {
	return &checker{l: l, file: f, mig: f.Migration, run: newRunner(f), set: s,
		notValid: map[tableChild]constraintInfo{}, droppedConstraints: map[tableKey]bool{}, txn: newTxState(-2)}
}

// enter moves to a statement of the file: a new transaction starts a new txState.
func (c *checker) enter(st fingerprint.Statement) {
	id := c.run.tx[st.Index]
	if id >= 0 && id != c.txn.id {
		c.txn = newTxState(id)
	}
}

func (c *checker) statement(st fingerprint.Statement) []hit {
	var hits []hit
	hits = append(hits, c.nesting(st)...)
	hits = append(hits, c.enumUse(st.Tree)...)
	switch n := st.Tree.Node.(type) {
	case *pg_query.Node_IndexStmt:
		hits = append(hits, c.createIndex(n.IndexStmt)...)
	case *pg_query.Node_DropStmt:
		hits = append(hits, c.drop(n.DropStmt)...)
	case *pg_query.Node_AlterTableStmt:
		hits = append(hits, c.alterTable(n.AlterTableStmt, st)...)
	case *pg_query.Node_RenameStmt:
		hits = append(hits, c.rename(n.RenameStmt)...)
	case *pg_query.Node_ReindexStmt:
		hits = append(hits, c.reindex(n.ReindexStmt)...)
	case *pg_query.Node_VacuumStmt:
		hits = append(hits, c.vacuum(n.VacuumStmt)...)
	case *pg_query.Node_ClusterStmt:
		hits = append(hits, c.cluster(n.ClusterStmt)...)
	case *pg_query.Node_TruncateStmt:
		hits = append(hits, c.truncate(n.TruncateStmt)...)
	case *pg_query.Node_RefreshMatViewStmt:
		hits = append(hits, c.refresh(n.RefreshMatViewStmt)...)
	case *pg_query.Node_LockStmt:
		hits = append(hits, c.lockTable(n.LockStmt)...)
	case *pg_query.Node_UpdateStmt:
		hits = append(hits, c.update(n.UpdateStmt)...)
	case *pg_query.Node_DeleteStmt:
		hits = append(hits, c.delete(n.DeleteStmt)...)
	case *pg_query.Node_AlterEnumStmt:
		c.addEnumValue(n.AlterEnumStmt)
	case *pg_query.Node_CreateStmt:
		hits = append(hits, c.style(n.CreateStmt.TableElts)...)
	case *pg_query.Node_DoStmt:
		if c.body == nil {
			hits = append(hits, c.doBlock(n.DoStmt, st)...)
		}
	}
	if refusesTransaction(st.Tree) {
		hits = append(hits, c.refusing(st)...)
	}
	if c.body == nil {
		if h, ok := c.robust(st); ok {
			hits = append(hits, h)
		}
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
		return nil // see refusing
	}
	c.hold(*table, "SHARE", "CREATE INDEX "+name)
	return []hit{{rule: requireConcurrentIndexCreation, table: table,
		detail: fmt.Sprintf("CREATE %s %s on %s without CONCURRENTLY", kind, name, table)}}
}

func (c *checker) drop(s *pg_query.DropStmt) []hit {
	var hits []hit
	switch s.RemoveType {
	case pg_query.ObjectType_OBJECT_TABLE:
		for _, o := range s.Objects {
			if t := qualifiedKey(o.GetList().GetItems()); t != nil {
				c.hold(*t, "ACCESS EXCLUSIVE", "DROP TABLE")
				hits = append(hits, hit{rule: banDropTable, table: t, detail: "DROP TABLE " + t.String()})
			}
		}
	case pg_query.ObjectType_OBJECT_INDEX:
		if s.Concurrent {
			return hits // see refusing
		}
		for _, o := range s.Objects {
			idx := qualifiedKey(o.GetList().GetItems())
			if idx == nil || (s.MissingOk && c.droppedConstraints[*idx]) {
				continue // IF EXISTS of an index its constraint took along earlier: nothing to drop
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
	c.hold(*table, "ACCESS EXCLUSIVE", "RENAME")
	switch {
	case s.RenameType == pg_query.ObjectType_OBJECT_COLUMN && s.RelationType == pg_query.ObjectType_OBJECT_TABLE:
		return []hit{{rule: renamingColumn, table: table,
			detail: fmt.Sprintf("RENAME COLUMN %s TO %s on %s", s.Subname, s.Newname, table)}}
	case s.RenameType == pg_query.ObjectType_OBJECT_TABLE:
		return []hit{{rule: renamingTable, table: table, detail: fmt.Sprintf("RENAME TABLE %s TO %s", table, s.Newname)}}
	}
	return nil
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
			if cd := cmd.Def.GetColumnDef(); cd != nil {
				named := &pg_query.ColumnDef{Colname: cmd.Name, TypeName: cd.TypeName, Location: cd.Location}
				hits = append(hits, c.style([]*pg_query.Node{{Node: &pg_query.Node_ColumnDef{ColumnDef: named}}})...)
			}
		case pg_query.AlterTableType_AT_DropColumn:
			hits = append(hits, hit{rule: banDropColumn, table: table, detail: fmt.Sprintf("DROP COLUMN %s of %s", cmd.Name, table)})
		case pg_query.AlterTableType_AT_DropConstraint:
			c.droppedConstraints[tableKey{table.schema, cmd.Name}] = true
		case pg_query.AlterTableType_AT_SetLogged, pg_query.AlterTableType_AT_SetUnLogged:
			word := "LOGGED"
			if cmd.GetSubtype() == pg_query.AlterTableType_AT_SetUnLogged {
				word = "UNLOGGED"
			}
			hits = append(hits, hit{rule: changingTablePersistence, table: table, detail: fmt.Sprintf("SET %s on %s: the table is rewritten", word, table)})
		case pg_query.AlterTableType_AT_DisableTrig, pg_query.AlterTableType_AT_DisableTrigAll, pg_query.AlterTableType_AT_DisableTrigUser:
			c.txn.disabled[*table] = cmpStr(cmd.Name, map[pg_query.AlterTableType]string{
				pg_query.AlterTableType_AT_DisableTrigAll: "ALL", pg_query.AlterTableType_AT_DisableTrigUser: "USER"}[cmd.GetSubtype()])
			c.hold(*table, "SHARE ROW EXCLUSIVE", "DISABLE TRIGGER")
			continue
		}
		if lock := alterLock(cmd); lock != "" {
			c.hold(*table, lock, "ALTER TABLE")
		}
	}
	return hits
}

// alterLock is the lock an ALTER TABLE sub-command holds to the end of its transaction; "" for
// one that does not block writes.
func alterLock(cmd *pg_query.AlterTableCmd) string {
	switch cmd.GetSubtype() {
	case pg_query.AlterTableType_AT_ValidateConstraint, pg_query.AlterTableType_AT_SetStatistics,
		pg_query.AlterTableType_AT_ClusterOn, pg_query.AlterTableType_AT_DropCluster:
		return ""
	case pg_query.AlterTableType_AT_EnableTrig, pg_query.AlterTableType_AT_EnableTrigAll, pg_query.AlterTableType_AT_EnableTrigUser:
		return "SHARE ROW EXCLUSIVE"
	case pg_query.AlterTableType_AT_AddConstraint:
		if cmd.Def.GetConstraint().GetContype() == pg_query.ConstrType_CONSTR_FOREIGN {
			return "SHARE ROW EXCLUSIVE"
		}
	}
	return "ACCESS EXCLUSIVE"
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
	c.txn.newColumns[tableChild{table, cd.Colname}] = true
	hits = append(hits, c.style([]*pg_query.Node{{Node: &pg_query.Node_ColumnDef{ColumnDef: cd}}})...)
	notNull, hasDefault, rewrite := false, false, ""
	var inlineFK *pg_query.Constraint
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
		case pg_query.ConstrType_CONSTR_FOREIGN:
			inlineFK = con
		case pg_query.ConstrType_CONSTR_CHECK:
			hits = append(hits, at(hit{rule: constraintMissingNotValid,
				detail: fmt.Sprintf("ADD COLUMN %s with an inline CHECK on %s: the table is still read to check it", cd.Colname, table)}))
		}
	}
	// A new column without a default is NULL in every row: its foreign key has nothing to check
	// (PostgreSQL 15: 5 ms on a 1 000 000-row table). With a default every row is looked up.
	if inlineFK != nil && hasDefault {
		h := at(hit{rule: constraintMissingNotValid, work: ptr(workForeignKey),
			detail: fmt.Sprintf("ADD COLUMN %s with a DEFAULT and an inline FOREIGN KEY on %s: every row is looked up in the referenced table", cd.Colname, table)})
		if ref := relKey(inlineFK.Pktable); ref != nil {
			h.lock = fmt.Sprintf("SHARE ROW EXCLUSIVE on %s and %s", table, ref)
		}
		hits = append(hits, h)
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
			info.tx = c.txn.id
			lock := "ACCESS EXCLUSIVE"
			if info.foreign {
				lock = "SHARE ROW EXCLUSIVE"
			}
			c.hold(table, lock, "ADD CONSTRAINT "+name+" NOT VALID")
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
	if !ok || info.tx != c.txn.id {
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
	c.hold(table, "ACCESS EXCLUSIVE", "ALTER COLUMN TYPE")
	h := hit{rule: changingColumnType, table: &table}
	switch {
	case using:
		detail += " USING an expression: the table is rewritten"
	case oldType == "" && likelyWidening(newType):
		// Offline the current type is unknown; a change to text, varchar or unconstrained
		// numeric is almost always a widening, which PostgreSQL does in the catalog only.
		detail += ": a widening (varchar to a longer varchar or to text) changes only the catalog; steady cannot see the current type here (with --database it can)"
		h.severity = ptr(Info)
	case oldType == "":
		detail += ": the column's current type is not known here, so steady cannot tell a binary-coercible change from a rewrite (with --database it can)"
	default:
		detail += fmt.Sprintf(" (from %s): the table is rewritten", oldType)
	}
	h.detail = detail
	return []hit{h}
}

// likelyWidening: a target type that a string or numeric column reaches without a rewrite
// from any narrower one of its kind.
func likelyWidening(newType string) bool {
	t, ok := parseType(newType)
	return ok && (t.base == "text" || t.base == "character varying" || (t.base == "numeric" && len(t.mods) == 0))
}

// robust reports an unverifiable statement that a partial run would run a second time and
// that is not safe to. A migration without any statement the catalog can check is never
// partial (it runs whole, once), unless it runs outside a transaction, where a failure halfway
// leaves its first statements applied.
func (c *checker) robust(st fingerprint.Statement) (hit, bool) {
	if st.Verifiable() || rerunnable(st.Tree) {
		return hit{}, false
	}
	if c.run.atomic() && !slices.ContainsFunc(c.mig.Statements, fingerprint.Statement.Verifiable) {
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
