package fingerprint

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/steadydb/steady/internal/sqlexpr"
)

// A constraint's definition is compared in a canonical form: the clause as the parser's
// deparser prints it after everything that pg_get_constraintdef adds or spells differently, and
// that does not change what the constraint allows, is normalised away:
//
//   - the name, NOT VALID (validity is Effect.Validated), USING INDEX TABLESPACE;
//   - every cast: the server prints the implicit ones ((name)::text, (0)::numeric,
//     (ARRAY[…])::text[]), so a cast written by hand is not told apart either;
//   - constants as strings (it prints -1 as '-1'::integer), ELSE NULL in a CASE;
//   - x IN (a, b) as x = ANY (ARRAY[a, b]), x IN (a) as x = a, NOT IN as <> ALL, LIKE and ILIKE
//     as their operators, BETWEEN as two comparisons, nested AND and OR flattened;
//   - column references by their last name, operators unqualified, public. dropped from
//     function names and from the referenced table.
//
// Only PRIMARY KEY, UNIQUE, FOREIGN KEY and CHECK get a definition, and a CHECK only when its
// expression is made of the nodes listed in normExpr; anything else is checked for existence
// only. A normalisation that misses a spelling makes a constraint look different, never the
// same; the forms the server prints are tested against PostgreSQL.

// errUncomparable is returned for a constraint whose definition has no canonical form.
var errUncomparable = errors.New("no canonical form for this constraint")

// constraintDefinition is the canonical clause of a constraint written in a statement; column
// is set for a column constraint. "" when it has none.
func constraintDefinition(c *pg_query.Constraint, column string, version int32) string {
	n, ok := normConstraint(c, column)
	if !ok {
		return ""
	}
	def, err := deparseConstraint(n, version)
	if err != nil {
		return ""
	}
	return def
}

// CanonicalConstraint returns the canonical form of a constraint clause, such as
// pg_get_constraintdef prints or Effect.Definition holds ("CHECK (price > 0)"). Two clauses
// with the same canonical form define the same constraint, but see [SameConstraint] for a
// foreign key written without its referenced columns.
func CanonicalConstraint(clause string) (string, error) {
	c, version, err := parseConstraint(clause)
	if err != nil {
		return "", err
	}
	n, ok := normConstraint(c, "")
	if !ok {
		return "", fmt.Errorf("constraint %q: %w", clause, errUncomparable)
	}
	return deparseConstraint(n, version)
}

// CanonicalDefault returns a column default as pg_get_expr prints it (pg_attrdef) in the form
// Effect.Default holds, or "" when it has none: a default changed by a later migration ('free'
// then 'trial') is then told apart, while the server's added casts ('trial'::text) are not.
func CanonicalDefault(expr string) string {
	def, err := CanonicalConstraint("CHECK (" + expr + ")")
	if err != nil {
		return ""
	}
	return checkExpr(def)
}

// checkExpr takes the expression out of a canonical "CHECK (…)" clause.
func checkExpr(def string) string {
	return strings.TrimSuffix(strings.TrimPrefix(def, "CHECK ("), ")")
}

// SameConstraint reports whether found, a constraint as pg_get_constraintdef prints it, is the
// constraint that want (an Effect.Definition) defines. A foreign key written without the
// referenced columns references the primary key, which only the database knows: then the
// referenced columns are not compared. The referenced table's schema is compared only when both
// name one: pg_get_constraintdef leaves it out when the reading session's search_path shows it.
func SameConstraint(want, found string) (bool, error) {
	w, version, err := parseConstraint(want)
	if err != nil {
		return false, err
	}
	f, _, err := parseConstraint(found)
	if err != nil {
		return false, err
	}
	wn, ok := normConstraint(w, "")
	if !ok {
		return false, fmt.Errorf("constraint %q: %w", want, errUncomparable)
	}
	fn, ok := normConstraint(f, "")
	if !ok {
		return false, fmt.Errorf("constraint %q: %w", found, errUncomparable)
	}
	if wn.Contype == pg_query.ConstrType_CONSTR_FOREIGN {
		if len(wn.PkAttrs) == 0 {
			fn.PkAttrs = nil
		}
		if wn.Pktable.Schemaname == "" || fn.Pktable.Schemaname == "" {
			wn.Pktable.Schemaname, fn.Pktable.Schemaname = "", ""
		}
	}
	wd, err := deparseConstraint(wn, version)
	if err != nil {
		return false, err
	}
	fd, err := deparseConstraint(fn, version)
	if err != nil {
		return false, err
	}
	return wd == fd, nil
}

// constraintPrefix is put before a clause to parse it, and taken off the deparsed statement.
const constraintPrefix = "ALTER TABLE x ADD "

func parseConstraint(clause string) (*pg_query.Constraint, int32, error) {
	tree, err := pg_query.Parse(constraintPrefix + clause)
	if err != nil {
		return nil, 0, fmt.Errorf("constraint %q: %w", clause, err)
	}
	if len(tree.Stmts) == 1 {
		if at := tree.Stmts[0].Stmt.GetAlterTableStmt(); at != nil && len(at.Cmds) == 1 {
			if c := at.Cmds[0].GetAlterTableCmd().GetDef().GetConstraint(); c != nil {
				return c, tree.Version, nil
			}
		}
	}
	return nil, 0, fmt.Errorf("constraint %q: want one constraint clause", clause)
}

func deparseConstraint(c *pg_query.Constraint, version int32) (string, error) {
	stmt := &pg_query.AlterTableStmt{
		Relation: &pg_query.RangeVar{Relname: "x", Inh: true, Relpersistence: "p"},
		Objtype:  pg_query.ObjectType_OBJECT_TABLE,
		Cmds: []*pg_query.Node{{Node: &pg_query.Node_AlterTableCmd{AlterTableCmd: &pg_query.AlterTableCmd{
			Subtype:  pg_query.AlterTableType_AT_AddConstraint,
			Def:      &pg_query.Node{Node: &pg_query.Node_Constraint{Constraint: c}},
			Behavior: pg_query.DropBehavior_DROP_RESTRICT,
		}}}},
	}
	sql, err := pg_query.Deparse(&pg_query.ParseResult{Version: version, Stmts: []*pg_query.RawStmt{
		{Stmt: &pg_query.Node{Node: &pg_query.Node_AlterTableStmt{AlterTableStmt: stmt}}},
	}})
	if err != nil {
		return "", fmt.Errorf("deparse constraint: %w", err)
	}
	def, ok := strings.CutPrefix(sql, constraintPrefix)
	if !ok {
		return "", fmt.Errorf("deparse constraint: unexpected %q", sql)
	}
	return def, nil
}

// normConstraint returns a normalised copy of c (column names the column of a column
// constraint), or false when c has no canonical form.
func normConstraint(c *pg_query.Constraint, column string) (*pg_query.Constraint, bool) {
	n := proto.Clone(c).(*pg_query.Constraint)
	n.Conname, n.Location = "", 0
	n.SkipValidation, n.InitiallyValid = false, false
	n.Indexspace = ""
	colList := func(list []*pg_query.Node) []*pg_query.Node {
		if len(list) == 0 && column != "" {
			return []*pg_query.Node{stringNode(column)}
		}
		return list
	}
	switch n.Contype {
	case pg_query.ConstrType_CONSTR_PRIMARY, pg_query.ConstrType_CONSTR_UNIQUE:
		if n.Indexname != "" || len(n.Options) > 0 {
			return nil, false // USING INDEX takes the index's definition; WITH options vary in spelling
		}
		n.Keys = colList(n.Keys)
	case pg_query.ConstrType_CONSTR_FOREIGN:
		if n.Pktable == nil {
			return nil, false
		}
		n.FkAttrs = colList(n.FkAttrs)
		n.Pktable = &pg_query.RangeVar{Schemaname: n.Pktable.Schemaname, Relname: n.Pktable.Relname, Inh: true, Relpersistence: "p"}
		if n.Pktable.Schemaname == "public" {
			n.Pktable.Schemaname = ""
		}
		n.FkMatchtype = cmpOr(n.FkMatchtype, "s")
		n.FkUpdAction = cmpOr(n.FkUpdAction, "a")
		n.FkDelAction = cmpOr(n.FkDelAction, "a")
	case pg_query.ConstrType_CONSTR_CHECK:
		if n.RawExpr == nil || !sqlexpr.Normalize(n.RawExpr) {
			return nil, false
		}
		n.CookedExpr = ""
	default:
		return nil, false
	}
	return n, true
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func stringNode(s string) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_String_{String_: &pg_query.String{Sval: s}}}
}

// ConstraintColumns returns the columns of its own table that a constraint clause (an
// Effect.Definition) involves: its key, a foreign key's local columns, INCLUDE, and those a
// CHECK or an exclusion's WHERE reads; nil when the clause does not parse. Dropping any of them
// drops the constraint.
func ConstraintColumns(clause string) []string {
	c, _, err := parseConstraint(clause)
	if err != nil {
		return nil
	}
	var cols []string
	for _, n := range slices.Concat(c.Keys, c.FkAttrs, c.Including) {
		if s := n.GetString_(); s != nil {
			cols = append(cols, s.Sval)
		}
	}
	for _, e := range c.Exclusions {
		cols = append(cols, sqlexpr.Columns(e)...)
	}
	if c.RawExpr != nil {
		cols = append(cols, sqlexpr.Columns(c.RawExpr)...)
	}
	if c.WhereClause != nil {
		cols = append(cols, sqlexpr.Columns(c.WhereClause)...)
	}
	slices.Sort(cols)
	return slices.Compact(cols)
}
