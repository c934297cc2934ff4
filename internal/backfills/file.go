package backfills

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/steadydb/steady/internal/cronspec"
	"github.com/steadydb/steady/internal/sqlfile"
)

// A backfill is one .sql file: a header of "-- field: value" lines, then the batch, an UPDATE
// (or DELETE) of the rows whose key is in (:from, :to], and optionally the SELECT of the keys
// in that range that still need it. :from and :to are psql variables, so psql runs one batch
// of the file as it is:
//
//	psql -v from=0 -v to=1000 -f backfills/leads_phone_whatsapp.sql
//
// steady runs the same statements with the range as $1 and $2.

// Header fields of a backfill file.
const (
	FieldName        = "backfill"    // the name; default the file's name without .sql
	FieldDescription = "description" // what it changes and why
	FieldTable       = "table"       // the table the batch changes; default the UPDATE's
	FieldKey         = "key"         // a unique, indexed integer column of the key table (required)
	FieldKeyTable    = "key-table"   // the table whose key delimits batches; default table
	FieldSchedule    = "schedule"    // default cron spec; none: runs only when started
	FieldSlices      = "slices"      // slices of a scheduled or on-start run; default 1
)

var fileFields = []string{FieldName, FieldDescription, FieldTable, FieldKey, FieldKeyTable, FieldSchedule, FieldSlices}

// The psql variables a file uses for the batch's key range, and the parameters steady binds.
var rangeVars = map[string]int{"from": 1, "to": 2}

// MaxSlices bounds a run's slices.
const MaxSlices = 1024

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{2,62}$`)

// ValidName reports whether name may name a backfill: lower_snake, 3 to 63 characters.
func ValidName(name string) bool { return namePattern.MatchString(name) }

// FileError is a backfill or index file that cannot be used, naming the file and the line.
type FileError = sqlfile.Error

// ParseFile reads one backfill file. name is the file's name as errors show it. Every problem
// is a *FileError naming the line: an unknown header field, a bad name, schedule or slices, SQL
// that does not parse, a statement other than the batch and its SELECT, a batch without the key
// range.
func ParseFile(name string, src []byte) (Backfill, error) {
	f, err := sqlfile.Parse(name, string(src), rangeVars, fileFields)
	if err != nil {
		return Backfill{}, err
	}
	b := Backfill{File: name, Source: string(src)}
	var line int
	b.Name, line = f.Get(FieldName)
	if b.Name == "" {
		b.Name = nameOf(name)
	}
	if !ValidName(b.Name) {
		return Backfill{}, f.Errorf(line, "backfill name %q: want lower_snake (a letter, then letters, digits or _), 3 to 63 characters%s",
			b.Name, map[bool]string{true: "; the file's name is the default: set -- backfill: NAME", false: ""}[line == 0])
	}
	b.Description, _ = f.Get(FieldDescription)
	b.Key, b.KeyLine = f.Get(FieldKey)
	line = b.KeyLine
	if b.Key == "" {
		return Backfill{}, f.Errorf(0, "no key: add a header line \"-- key: COLUMN\" naming the unique integer column whose ranges make the batches")
	}
	if !identifier(b.Key) {
		return Backfill{}, f.Errorf(line, "key %q: want a column name", b.Key)
	}
	if spec, line := f.Get(FieldSchedule); spec != "" {
		if _, _, err := cronspec.Parse(spec); err != nil {
			return Backfill{}, f.Errorf(line, "schedule %q: %v", spec, err)
		}
		b.Schedule = spec
	}
	if s, line := f.Get(FieldSlices); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxSlices {
			return Backfill{}, f.Errorf(line, "slices %q: want a whole number from 1 to %d", s, MaxSlices)
		}
		b.Slices = n
	}
	if err := b.statements(f); err != nil {
		return Backfill{}, err
	}
	return b, nil
}

// statements finds the batch and the optional SELECT, and checks that each takes the key range.
func (b *Backfill) statements(f *sqlfile.File) error {
	var batch, pending *sqlfile.Statement
	for i := range f.Statements {
		st := &f.Statements[i]
		switch {
		case st.Node.GetUpdateStmt() != nil || st.Node.GetDeleteStmt() != nil:
			if batch != nil {
				return f.Errorf(st.Line, "a second UPDATE or DELETE: a backfill file holds one batch statement (line %d)", batch.Line)
			}
			batch = st
		case st.Node.GetSelectStmt() != nil:
			if pending != nil {
				return f.Errorf(st.Line, "a second SELECT: a backfill file holds at most one, of the keys that still need the change (line %d)", pending.Line)
			}
			pending = st
		default:
			return f.Errorf(st.Line, "%s: a backfill file holds one UPDATE (or DELETE) of the rows whose key is in (:from, :to] and, optionally, the SELECT of the keys in that range that still need it",
				statementKind(st.Node))
		}
	}
	if batch == nil {
		return f.Errorf(0, "no UPDATE or DELETE: a backfill file holds the batch statement, for the keys in (:from, :to]")
	}
	rel, scope := batchScope(batch.Node)
	table, line := f.Get(FieldTable)
	if table != "" && table != rel {
		return f.Errorf(line, "table %s, but the %s on line %d changes %s", table, statementKind(batch.Node), batch.Line, rel)
	}
	b.Table = rel
	if kt, line := f.Get(FieldKeyTable); kt != "" && kt != rel {
		if !slices.ContainsFunc(scope, func(r scoped) bool { return r.table == kt }) {
			return f.Errorf(line, "key-table %s is not a table the %s on line %d reads (FROM or USING)", kt, statementKind(batch.Node), batch.Line)
		}
		b.KeyTable = kt
	}
	if err := b.checkRange(f, *batch, scope); err != nil {
		return err
	}
	b.Update, b.Line = batch.SQL, batch.Line
	if pending != nil {
		_, pscope := selectScope(pending.Node.GetSelectStmt())
		if err := b.checkRange(f, *pending, pscope); err != nil {
			return err
		}
		b.Pending = pending.SQL
	}
	return nil
}

// checkRange requires the statement's WHERE to hold "key > :from" and "key <= :to" (ANDed with
// the rest) on the key table, and no parameter other than those two.
func (b *Backfill) checkRange(f *sqlfile.File, st sqlfile.Statement, scope []scoped) error {
	if js, err := pg_query.ParseToJSON(st.SQL); err == nil {
		for _, m := range paramRef.FindAllStringSubmatch(js, -1) {
			if m[1] != "1" && m[1] != "2" {
				return f.Errorf(st.Line, "$%s: a backfill takes only :from and :to", m[1])
			}
		}
	}
	var where *pg_query.Node
	switch {
	case st.Node.GetUpdateStmt() != nil:
		where = st.Node.GetUpdateStmt().GetWhereClause()
	case st.Node.GetDeleteStmt() != nil:
		where = st.Node.GetDeleteStmt().GetWhereClause()
	default:
		where = st.Node.GetSelectStmt().GetWhereClause()
	}
	var lower, upper bool
	for _, c := range conjuncts(where) {
		switch b.bound(c, scope) {
		case 1:
			lower = true
		case 2:
			upper = true
		}
	}
	if !lower || !upper {
		return f.Errorf(st.Line, "%s without the key range: its WHERE must hold %s > :from AND %s <= :to, so that a batch touches only its own keys",
			statementKind(st.Node), b.keyRef(scope), b.keyRef(scope))
	}
	return nil
}

var paramRef = regexp.MustCompile(`"ParamRef":\{"number":(\d+)`)

// bound is 1 for "key > $1" (or "$1 < key"), 2 for "key <= $2" (or "$2 >= key"), 0 otherwise.
func (b *Backfill) bound(n *pg_query.Node, scope []scoped) int {
	e := n.GetAExpr()
	if e == nil || e.Kind != pg_query.A_Expr_Kind_AEXPR_OP || len(e.Name) != 1 {
		return 0
	}
	op := e.Name[0].GetString_().GetSval()
	col, param := e.Lexpr, e.Rexpr
	if col.GetParamRef() != nil {
		col, param = param, col
		op = map[string]string{"<": ">", ">=": "<="}[op]
	}
	if param.GetParamRef() == nil || !b.isKey(col.GetColumnRef(), scope) {
		return 0
	}
	switch {
	case op == ">" && param.GetParamRef().Number == 1:
		return 1
	case op == "<=" && param.GetParamRef().Number == 2:
		return 2
	}
	return 0
}

// isKey reports a reference to the key column of the key table: unqualified, or qualified by
// the key table's name or alias.
func (b *Backfill) isKey(ref *pg_query.ColumnRef, scope []scoped) bool {
	if ref == nil || len(ref.Fields) == 0 || ref.Fields[len(ref.Fields)-1].GetString_().GetSval() != b.Key {
		return false
	}
	if len(ref.Fields) == 1 {
		return true
	}
	q := ref.Fields[len(ref.Fields)-2].GetString_().GetSval()
	return slices.ContainsFunc(scope, func(r scoped) bool {
		return r.table == b.KeyRelation() && (r.alias == q || r.alias == "" && r.table == q)
	})
}

func (b *Backfill) keyRef(scope []scoped) string {
	for _, r := range scope {
		if r.table == b.KeyRelation() && r.alias != "" {
			return r.alias + "." + b.Key
		}
	}
	return b.Key
}

// scoped is a table a statement reads, with its alias.
type scoped struct{ table, alias string }

// batchScope is the table an UPDATE or DELETE changes and every table it names.
func batchScope(n *pg_query.Node) (string, []scoped) {
	var rel *pg_query.RangeVar
	var from []*pg_query.Node
	if u := n.GetUpdateStmt(); u != nil {
		rel, from = u.Relation, u.FromClause
	} else {
		d := n.GetDeleteStmt()
		rel, from = d.Relation, d.UsingClause
	}
	scope := []scoped{{table: rel.Relname, alias: rel.GetAlias().GetAliasname()}}
	for _, item := range from {
		scope = appendRanges(scope, item)
	}
	return rel.Relname, scope
}

func selectScope(s *pg_query.SelectStmt) (string, []scoped) {
	var scope []scoped
	for _, item := range s.GetFromClause() {
		scope = appendRanges(scope, item)
	}
	return "", scope
}

func appendRanges(scope []scoped, n *pg_query.Node) []scoped {
	switch {
	case n.GetRangeVar() != nil:
		rv := n.GetRangeVar()
		return append(scope, scoped{table: rv.Relname, alias: rv.GetAlias().GetAliasname()})
	case n.GetJoinExpr() != nil:
		return appendRanges(appendRanges(scope, n.GetJoinExpr().Larg), n.GetJoinExpr().Rarg)
	}
	return scope
}

// conjuncts flattens a WHERE's top-level ANDs.
func conjuncts(n *pg_query.Node) []*pg_query.Node {
	if n == nil {
		return nil
	}
	if be := n.GetBoolExpr(); be != nil && be.Boolop == pg_query.BoolExprType_AND_EXPR {
		var out []*pg_query.Node
		for _, a := range be.Args {
			out = append(out, conjuncts(a)...)
		}
		return out
	}
	return []*pg_query.Node{n}
}

// statementKind names a statement as a user wrote it: "UPDATE", "CREATE TABLE".
func statementKind(n *pg_query.Node) string {
	switch {
	case n.GetUpdateStmt() != nil:
		return "UPDATE"
	case n.GetDeleteStmt() != nil:
		return "DELETE"
	case n.GetSelectStmt() != nil:
		return "SELECT"
	case n.GetInsertStmt() != nil:
		return "INSERT"
	}
	name := fmt.Sprintf("%T", n.Node)
	name = strings.TrimPrefix(name, "*pg_query.Node_")
	return strings.TrimSuffix(name, "Stmt") + " statement"
}

// nameOf is a file's default backfill name: its base name without .sql, lower case, other
// characters than letters and digits as _ ("FIX-2024.sql" is fix_2024).
func nameOf(file string) string {
	base := strings.ToLower(strings.TrimSuffix(path.Base(file), ".sql"))
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, base)
}

var identPattern = regexp.MustCompile(`^[a-z_][a-z0-9_$]*$`)

func identifier(s string) bool { return identPattern.MatchString(s) && len(s) <= 63 }

// Checksum is the sha256 of the file's text, hex: what an ad hoc run's stored definition is
// known by.
func (b Backfill) Checksum() string {
	sum := sha256.Sum256([]byte(b.Source))
	return hex.EncodeToString(sum[:])
}

// LoadDir reads every *.sql file at the root of fsys, in name order, into a catalog. dir is
// how errors name the directory ("backfills"). Names must be unique. Every bad file is
// reported (errors.Join of *FileError), and the catalog holds the others.
func LoadDir(fsys fs.FS, dir string) (Catalog, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("read backfills in %s: %w", dir, err)
	}
	var c Catalog
	var errs []error
	where := map[string]string{}
	for _, n := range names {
		file := path.Join(dir, n)
		src, err := fs.ReadFile(fsys, n)
		if err != nil {
			errs = append(errs, &FileError{File: file, Message: err.Error()})
			continue
		}
		b, err := ParseFile(file, src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := where[b.Name]; dup {
			errs = append(errs, &FileError{File: file, Message: fmt.Sprintf("backfill %s is also defined in %s", b.Name, other)})
			continue
		}
		where[b.Name] = file
		c = append(c, b)
	}
	return c, errors.Join(errs...)
}
