package fingerprint

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// BodyPart is one piece of SQL that a PL/pgSQL body (a DO block's or a function's) runs.
type BodyPart struct {
	// Line is the part's line in the body, 1-based: line 1 is the line the body starts on
	// (the one with the opening $$).
	Line int
	// SQL is the statement as written (a static statement, or the text of EXECUTE 'constant');
	// for a dynamic part it is the expression that builds the statement.
	SQL string
	// Execute: the part is run by EXECUTE (or FOR … IN EXECUTE, RETURN QUERY EXECUTE, OPEN …
	// FOR EXECUTE).
	Execute bool
	// Dynamic: an EXECUTE of a string built at run time. SQL is then not a statement and was
	// not analysed; Template is the best guess at its shape.
	Dynamic bool
	// Template, for a dynamic part built by format() or || from constant text: the statement
	// with each run-time piece replaced by DynamicName (an identifier) or 'steady_dynamic' (a
	// literal, for %L and quote_literal()). Empty when no constant text shapes it.
	Template string
}

// DynamicName stands for a run-time value in BodyPart.Template.
const DynamicName = "steady_dynamic"

// PlpgsqlBody returns the SQL statements a PL/pgSQL body holds, in the order they are written:
// static statements (including PERFORM, the query of a FOR loop, RETURN QUERY, CALL), the string
// of an EXECUTE of a constant, and the branches of IF, CASE, loops and exception handlers
// flattened in order. An EXECUTE of a string built at run time is a Dynamic part. signature is
// the function's "(params) RETURNS type" (parameters and NEW/OLD are variables the parser must
// know); "" is a DO block's, "() RETURNS void". It uses PostgreSQL's own PL/pgSQL parser
// (pg_query.ParsePlPgSqlToJSON); a body that does not parse is an error.
func PlpgsqlBody(body, signature string) ([]BodyPart, error) {
	if signature == "" {
		signature = "() RETURNS void"
	}
	tag := "$steady_body$"
	for i := 0; strings.Contains(body, tag); i++ {
		tag = fmt.Sprintf("$steady_body%d$", i)
	}
	js, err := pg_query.ParsePlPgSqlToJSON("CREATE FUNCTION steady_body" + signature + " LANGUAGE plpgsql AS " + tag + body + tag)
	if err != nil {
		return nil, fmt.Errorf("parse PL/pgSQL body: %w", err)
	}
	tree, err := decodeOrdered(json.NewDecoder(strings.NewReader(js)))
	if err != nil {
		return nil, fmt.Errorf("parse PL/pgSQL body: %w", err)
	}
	var parts []BodyPart
	collectBody(tree, &parts)
	slices.SortStableFunc(parts, func(a, b BodyPart) int { return a.Line - b.Line })
	return parts, nil
}

// sqlOf names, for each PL/pgSQL statement that runs SQL, the fields holding its static query
// and its dynamic one.
var sqlOf = map[string]struct{ static, dynamic string }{
	"PLpgSQL_stmt_execsql":      {static: "sqlstmt"},
	"PLpgSQL_stmt_perform":      {static: "expr"},
	"PLpgSQL_stmt_call":         {static: "expr"},
	"PLpgSQL_stmt_fors":         {static: "query"},
	"PLpgSQL_stmt_forc":         {static: "query"},
	"PLpgSQL_stmt_return_query": {static: "query", dynamic: "dynquery"},
	"PLpgSQL_stmt_open":         {static: "query", dynamic: "dynquery"},
	"PLpgSQL_stmt_dynexecute":   {dynamic: "query"},
	"PLpgSQL_stmt_dynfors":      {dynamic: "query"},
}

// collectBody walks the parser's JSON in document order and appends the parts it finds.
func collectBody(v any, parts *[]BodyPart) {
	switch n := v.(type) {
	case []any:
		for _, e := range n {
			collectBody(e, parts)
		}
	case object:
		for _, kv := range n {
			if f, ok := sqlOf[kv.key]; ok {
				if stmt, ok := kv.val.(object); ok {
					line := int(stmt.number("lineno"))
					if q := expr(stmt.get(f.static)); q != "" {
						*parts = append(*parts, BodyPart{Line: line, SQL: q})
					}
					if q := expr(stmt.get(f.dynamic)); q != "" {
						*parts = append(*parts, executePart(line, q))
					}
				}
			}
			collectBody(kv.val, parts)
		}
	}
}

// executePart judges the expression of an EXECUTE: a constant string is a statement; anything
// else is dynamic, with a template when constant text shapes it.
func executePart(line int, expr string) BodyPart {
	p := BodyPart{Line: line, SQL: expr, Execute: true, Dynamic: true}
	tree, err := pg_query.Parse("SELECT " + expr)
	if err != nil || len(tree.Stmts) != 1 {
		return p
	}
	targets := tree.Stmts[0].Stmt.GetSelectStmt().GetTargetList()
	if len(targets) != 1 {
		return p
	}
	var t template
	t.build(targets[0].GetResTarget().GetVal())
	switch {
	case t.constant && !t.dynamic:
		p.SQL, p.Dynamic = t.b.String(), false
	case t.constant:
		p.Template = t.b.String()
	}
	return p
}

// template rebuilds the text an expression computes, with run-time pieces as placeholders.
type template struct {
	b        strings.Builder
	constant bool // some of the text is constant
	dynamic  bool // some of it is computed at run time
}

func (t *template) build(n *pg_query.Node) {
	switch {
	case n.GetAConst() != nil && n.GetAConst().GetSval() != nil:
		t.b.WriteString(n.GetAConst().GetSval().GetSval())
		t.constant = true
	case n.GetTypeCast() != nil:
		t.build(n.GetTypeCast().GetArg())
	case n.GetAExpr() != nil && opName(n.GetAExpr()) == "||":
		t.build(n.GetAExpr().GetLexpr())
		t.build(n.GetAExpr().GetRexpr())
	case n.GetFuncCall() != nil && lastName(n.GetFuncCall().GetFuncname()) == "format":
		t.format(n.GetFuncCall().GetArgs())
	case n.GetFuncCall() != nil && slices.Contains([]string{"quote_literal", "quote_nullable"}, lastName(n.GetFuncCall().GetFuncname())):
		t.b.WriteString("'" + DynamicName + "'")
		t.dynamic = true
	default:
		t.b.WriteString(DynamicName)
		t.dynamic = true
	}
}

// format expands format()'s constant format string: %I and %s become the placeholder
// identifier, %L the placeholder literal.
func (t *template) format(args []*pg_query.Node) {
	if len(args) == 0 || args[0].GetAConst().GetSval() == nil {
		t.b.WriteString(DynamicName)
		t.dynamic = true
		return
	}
	f := args[0].GetAConst().GetSval().GetSval()
	t.constant = true
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			t.b.WriteByte(f[i])
			continue
		}
		j := i + 1
		for j < len(f) && strings.IndexByte("0123456789$-", f[j]) >= 0 { // %1$I, %-10s
			j++
		}
		switch {
		case j < len(f) && f[j] == '%':
			t.b.WriteByte('%')
		case j < len(f) && f[j] == 'L':
			t.b.WriteString("'" + DynamicName + "'")
			t.dynamic = true
		case j < len(f):
			t.b.WriteString(DynamicName)
			t.dynamic = true
		}
		i = j
	}
}

func opName(e *pg_query.A_Expr) string { return lastName(e.GetName()) }

func lastName(names []*pg_query.Node) string {
	if len(names) == 0 {
		return ""
	}
	return strings.ToLower(names[len(names)-1].GetString_().GetSval())
}

// object is a JSON object with its keys in document order (a Go map would lose the order of
// the branches of an IF).
type object []keyValue

type keyValue struct {
	key string
	val any
}

func (o object) get(key string) any {
	if key == "" {
		return nil
	}
	for _, kv := range o {
		if kv.key == key {
			return kv.val
		}
	}
	return nil
}

func (o object) number(key string) float64 {
	f, _ := o.get(key).(float64)
	return f
}

// expr is the query text of a {"PLpgSQL_expr": {"query": …}} value, or "".
func expr(v any) string {
	o, ok := v.(object)
	if !ok {
		return ""
	}
	e, _ := o.get("PLpgSQL_expr").(object)
	q, _ := e.get("query").(string)
	return q
}

// decodeOrdered reads one JSON value, objects as an object.
func decodeOrdered(d *json.Decoder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		var o object
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeOrdered(d)
			if err != nil {
				return nil, err
			}
			o = append(o, keyValue{key: k.(string), val: v})
		}
		_, err := d.Token() // '}'
		return o, err
	case json.Delim('['):
		var a []any
		for d.More() {
			v, err := decodeOrdered(d)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := d.Token() // ']'
		return a, err
	}
	return tok, nil
}
