package fingerprint

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/steadydb/steady/internal/sqlexpr"
)

// Parse parses one migration file. file is its name, used in errors.
//
// SQL that does not parse and malformed steady: directives are reported as a *ParseError that
// names the file and line.
func Parse(file, sql string) (*Migration, error) {
	sql = strings.TrimPrefix(sql, "\ufeff") // a byte order mark some editors write
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return nil, syntaxError(file, sql, err)
	}
	scan, err := pg_query.Scan(sql)
	if err != nil {
		return nil, syntaxError(file, sql, err)
	}
	src := newSource(file, sql, scan.Tokens)
	src.version = tree.Version

	spans := make([]span, len(tree.Stmts))
	starts := make(map[int]bool, len(tree.Stmts))
	for i, raw := range tree.Stmts {
		spans[i] = src.statementSpan(raw)
		starts[spans[i].start] = true
	}
	dirs, err := src.readDirectives(starts)
	if err != nil {
		return nil, err
	}

	m := &Migration{NoTransaction: dirs.noTransaction, Statements: []Statement{}}
	for i, raw := range tree.Stmts {
		stmts, err := src.statements(raw.Stmt, spans[i], dirs.fingerprints[spans[i].start])
		if err != nil {
			return nil, err
		}
		for j := range stmts {
			stmts[j].Allows = dirs.allows[spans[i].start]
		}
		m.Statements = append(m.Statements, stmts...)
	}
	for i := range m.Statements {
		m.Statements[i].Index = i
	}
	return m, nil
}

// statements turns one parsed statement into Statements: one, or one per sub-command of an
// ALTER TABLE with several, so that the engine can run only those whose effects are missing.
// Explicit effects (from steady:fingerprint) describe the statement as written: it is not split.
func (s *source) statements(node *pg_query.Node, sp span, explicit []Effect) ([]Statement, error) {
	text := s.sql[sp.start:sp.end]
	base := Statement{Line: s.line(sp.start), SQL: text, Whole: text, Node: nodeName(node), Offset: sp.start, Tree: node}
	if explicit != nil {
		base.Effects, base.Explicit = explicit, true
		base.Replaces = derive(node, s.version).replaces
		base.Refs, base.RefsUnknown = references(node, base.Effects)
		return []Statement{base}, nil
	}
	parts := splitAlterTable(node)
	if len(parts) < 2 {
		d := derive(node, s.version)
		base.Effects, base.Replaces, base.FromBody = d.effects, d.replaces, d.fromBody
		base.Refs, base.RefsUnknown = references(node, base.Effects)
		return []Statement{base}, nil
	}
	out := make([]Statement, 0, len(parts))
	for _, part := range parts {
		sql, err := pg_query.Deparse(&pg_query.ParseResult{Version: s.version, Stmts: []*pg_query.RawStmt{{Stmt: part}}})
		if err != nil {
			return nil, &ParseError{File: s.file, Line: base.Line, Message: fmt.Sprintf("split ALTER TABLE: %v", err)}
		}
		st := base
		st.SQL = sql
		st.Effects = derive(part, s.version).effects
		st.Refs, st.RefsUnknown = references(part, st.Effects)
		st.Tree = part
		out = append(out, st)
	}
	return out, nil
}

// splitAlterTable returns one ALTER TABLE per sub-command, or nil when node is not an ALTER
// TABLE with several.
func splitAlterTable(node *pg_query.Node) []*pg_query.Node {
	alter := node.GetAlterTableStmt()
	if alter == nil || alter.Objtype != pg_query.ObjectType_OBJECT_TABLE || len(alter.Cmds) < 2 {
		return nil
	}
	parts := make([]*pg_query.Node, 0, len(alter.Cmds))
	for _, cmd := range alter.Cmds {
		parts = append(parts, &pg_query.Node{Node: &pg_query.Node_AlterTableStmt{AlterTableStmt: &pg_query.AlterTableStmt{
			Relation:  alter.Relation,
			Cmds:      []*pg_query.Node{cmd},
			Objtype:   alter.Objtype,
			MissingOk: alter.MissingOk,
		}}})
	}
	return parts
}

// nodeName is the parse node's type name, e.g. "CreateStmt".
func nodeName(n *pg_query.Node) string {
	m := n.ProtoReflect()
	field := m.WhichOneof(m.Descriptor().Oneofs().ByName("node"))
	if field == nil {
		return ""
	}
	return string(field.Message().Name())
}

// syntaxError turns the parser's error into a *ParseError at the line of its cursor position.
func syntaxError(file, sql string, err error) error {
	var pgErr *parser.Error
	if !errors.As(err, &pgErr) {
		return &ParseError{File: file, Line: 1, Message: err.Error()}
	}
	line := 1
	if pgErr.Cursorpos > 0 {
		offset := sqlexpr.CharOffset(sql, pgErr.Cursorpos-1)
		if rest := sql[offset:]; strings.TrimSpace(rest) == "" {
			// "at end of input": point at the last line with text, not the blank ones after it
			offset = max(len(strings.TrimRight(sql, " \t\r\n"))-1, 0)
		}
		line = newSource(file, sql, nil).line(offset)
	}
	return &ParseError{File: file, Line: line, Message: pgErr.Message}
}

// source is a migration file with its scanner tokens, which place statements, comments and
// lines.
type source struct {
	file       string
	sql        string
	tokens     []*pg_query.ScanToken
	version    int32 // of the parse tree, which Deparse checks
	lineStarts []int // byte offset of each line's start
}

// span is a statement's text in the file: from its first token to the end of its last, with
// leading and trailing comments left out.
type span struct{ start, end int }

func newSource(file, sql string, tokens []*pg_query.ScanToken) *source {
	s := &source{file: file, sql: sql, tokens: tokens, lineStarts: []int{0}}
	for i := range len(sql) {
		if sql[i] == '\n' {
			s.lineStarts = append(s.lineStarts, i+1)
		}
	}
	return s
}

// line is the 1-based line of a byte offset.
func (s *source) line(offset int) int {
	return sort.Search(len(s.lineStarts), func(i int) bool { return s.lineStarts[i] > offset })
}

func (s *source) statementSpan(raw *pg_query.RawStmt) span {
	lo, hi := int(raw.StmtLocation), int(raw.StmtLocation+raw.StmtLen)
	if raw.StmtLen == 0 { // the last statement, with no semicolon: it runs to the end
		hi = len(s.sql)
	}
	sp := span{start: -1}
	first := sort.Search(len(s.tokens), func(i int) bool { return int(s.tokens[i].Start) >= lo })
	for _, t := range s.tokens[first:] {
		if int(t.Start) >= hi {
			break
		}
		if isComment(t) {
			continue
		}
		if sp.start < 0 {
			sp.start = int(t.Start)
		}
		sp.end = int(t.End)
	}
	if sp.start < 0 { // not expected: the parser found a statement there
		text := s.sql[lo:hi]
		start := lo + len(text) - len(strings.TrimLeft(text, " \t\r\n"))
		return span{start: start, end: lo + len(strings.TrimRight(text, " \t\r\n"))}
	}
	return sp
}

func isComment(t *pg_query.ScanToken) bool {
	return t.Token == pg_query.Token_SQL_COMMENT || t.Token == pg_query.Token_C_COMMENT
}
