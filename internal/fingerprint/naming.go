package fingerprint

import (
	"cmp"
	"strconv"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/steadydb/steady/internal/sqlexpr"
)

// maxIdentLen is NAMEDATALEN-1: PostgreSQL truncates identifiers to 63 bytes.
const maxIdentLen = 63

// nameChooser picks the names PostgreSQL gives unnamed constraints and indexes. It knows only
// the names chosen within one statement: a name taken by an object that already exists makes
// PostgreSQL append a counter ("t_a_check1") that no parser can predict.
type nameChooser struct{ taken map[string]bool }

func newNameChooser() *nameChooser { return &nameChooser{taken: map[string]bool{}} }

// choose mirrors ChooseRelationName / ChooseConstraintName: name1_name2_label, truncated to
// 63 bytes, with a counter appended to the label while the name is taken.
func (c *nameChooser) choose(name1, name2, label string) string {
	name := makeObjectName(name1, name2, label)
	for pass := 1; c.taken[name]; pass++ {
		name = makeObjectName(name1, name2, label+strconv.Itoa(pass))
	}
	c.taken[name] = true
	return name
}

// reserve records a name given explicitly in the statement.
func (c *nameChooser) reserve(name string) { c.taken[name] = true }

// makeObjectName mirrors PostgreSQL's makeObjectName (indexcmds.c): it shortens the longer of
// name1 and name2 one byte at a time until name1[_name2][_label] fits in 63 bytes, never
// cutting a multibyte character. name2 "" means none.
func makeObjectName(name1, name2, label string) string {
	overhead := 0
	if name2 != "" {
		overhead++
	}
	if label != "" {
		overhead += len(label) + 1
	}
	n1, n2 := len(name1), len(name2)
	for avail := maxIdentLen - overhead; n1+n2 > avail; {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	parts := []string{clipUTF8(name1, n1)}
	if name2 != "" {
		parts = append(parts, clipUTF8(name2, n2))
	}
	if label != "" {
		parts = append(parts, label)
	}
	return strings.Join(parts, "_")
}

// clipUTF8 returns the longest prefix of s of at most n bytes that ends on a character boundary.
func clipUTF8(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// nameAddition mirrors ChooseIndexNameAddition and ChooseForeignKeyConstraintNameAddition:
// the column names joined by "_", stopping once 63 bytes are reached.
func nameAddition(cols []string) string {
	var b strings.Builder
	for _, col := range cols {
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		b.WriteString(col)
		if b.Len() > maxIdentLen {
			break
		}
	}
	return b.String()
}

// indexColumnNames mirrors ChooseIndexColumnNames: a column's name, an expression's
// FigureColname result or "expr", made unique with a counter.
func indexColumnNames(elems []*pg_query.Node) []string {
	var names []string
	seen := map[string]bool{}
	for _, n := range elems {
		elem := n.GetIndexElem()
		if elem == nil {
			continue
		}
		orig := elem.Indexcolname
		if orig == "" {
			orig = elem.Name
		}
		if orig == "" {
			orig = cmp.Or(figureColname(elem.Expr), "expr")
		}
		name := orig
		for i := 1; seen[name]; i++ {
			name = orig + strconv.Itoa(i)
		}
		seen[name] = true
		names = append(names, name)
	}
	return names
}

// figureColname mirrors the common cases of FigureColnameInternal: a column reference names
// itself, a function call its function, a cast its inner name or else its type.
func figureColname(n *pg_query.Node) string {
	name, _ := figureColnameStrength(n)
	return name
}

func figureColnameStrength(n *pg_query.Node) (string, int) {
	switch {
	case n.GetColumnRef() != nil:
		fields := stringList(n.GetColumnRef().Fields)
		if len(fields) > 0 && len(fields) == len(n.GetColumnRef().Fields) {
			return fields[len(fields)-1], 2
		}
	case n.GetFuncCall() != nil:
		names := stringList(n.GetFuncCall().Funcname)
		if len(names) > 0 {
			return names[len(names)-1], 2
		}
	case n.GetTypeCast() != nil:
		name, strength := figureColnameStrength(n.GetTypeCast().Arg)
		if strength <= 1 {
			if names := stringList(n.GetTypeCast().GetTypeName().GetNames()); len(names) > 0 {
				return names[len(names)-1], 1
			}
		}
		return name, strength
	case n.GetCoalesceExpr() != nil:
		return "coalesce", 2
	case n.GetCaseExpr() != nil:
		return "case", 1
	case n.GetMinMaxExpr() != nil:
		if n.GetMinMaxExpr().Op == pg_query.MinMaxOp_IS_GREATEST {
			return "greatest", 2
		}
		return "least", 2
	}
	return "", 0
}

// checkColumn returns the one column a CHECK expression references, as PostgreSQL names an
// unnamed check constraint after it; "" when it references none or several.
func checkColumn(expr *pg_query.Node) string {
	cols := map[string]bool{}
	var last string
	sqlexpr.Walk(expr.ProtoReflect(), func(m protoreflect.Message) {
		ref, ok := m.Interface().(*pg_query.ColumnRef)
		if !ok {
			return
		}
		fields := stringList(ref.Fields)
		if len(fields) == 0 {
			return
		}
		last = fields[len(fields)-1]
		cols[last] = true
	})
	if len(cols) != 1 {
		return ""
	}
	return last
}
