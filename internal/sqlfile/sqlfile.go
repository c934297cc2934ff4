// Package sqlfile reads the SQL files that define steady's catalogs (backfills, index builds):
// a header of "-- field: value" comment lines, then plain SQL statements, each with the line it
// starts on and the comment written just above it. psql variables (:from) are replaced by
// query parameters ($1) so that the file stays what psql runs while steady runs it with
// arguments. Every error names the file and the line.
package sqlfile

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"

	"github.com/steadydb/steady/internal/sqlexpr"
)

// Error is a file that cannot be used, at a line (1-based; 0 when the whole file is at fault).
type Error struct {
	File    string
	Line    int
	Message string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Message
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
}

// Field is one header line: "-- key: value", with continuation lines ("--   more") joined.
type Field struct {
	Key, Value string
	Line       int
}

// Statement is one top-level statement of a file.
type Statement struct {
	Line    int    // where its first token is
	SQL     string // its text, psql variables replaced by parameters, without the final ";"
	Comment string // the comment lines just above it (no blank line between), "--" stripped
	Node    *pg_query.Node
	offset  int // of its first token, in the file
}

// File is a parsed file.
type File struct {
	Name       string
	Text       string
	Header     []Field
	Statements []Statement
	lineStarts []int // byte offset of each line's start
}

// Parse reads a file. vars maps each psql variable the file may use ("from", written :from)
// to the number of the parameter steady passes in its place ($1). A "$n" parameter is an error:
// psql could not run the file. Other ":name" are left alone (an array slice a[1:n]); one that
// was meant as a variable fails to parse. fields lists the header keys the file may set.
func Parse(name, text string, vars map[string]int, fields []string) (*File, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	f := &File{Name: name, Text: text}
	f.index()
	scan, err := pg_query.Scan(text)
	if err != nil {
		return nil, f.errorf(1, "does not scan: %v", err)
	}
	if err := f.readHeader(scan.Tokens, fields); err != nil {
		return nil, err
	}
	// Parameters replace variables at the same width, so that every offset the parser reports
	// is the file's.
	padded, refs, err := f.substitute(scan.Tokens, vars)
	if err != nil {
		return nil, err
	}
	tree, err := pg_query.Parse(padded)
	if err != nil {
		return nil, f.syntaxError(err)
	}
	for _, raw := range tree.Stmts {
		end := len(text)
		if raw.StmtLen > 0 {
			end = int(raw.StmtLocation + raw.StmtLen)
		}
		first := firstCode(scan.Tokens, int(raw.StmtLocation), end)
		if first < 0 {
			continue
		}
		st := Statement{Line: f.LineOf(first), Node: raw.Stmt, offset: first,
			SQL:     strings.TrimSpace(unpad(text, first, end, refs)),
			Comment: f.commentAbove(scan.Tokens, first)}
		f.Statements = append(f.Statements, st)
	}
	return f, nil
}

// Errorf is an error at a line of the file.
func (f *File) Errorf(line int, format string, args ...any) *Error {
	return f.errorf(line, format, args...)
}

func (f *File) errorf(line int, format string, args ...any) *Error {
	return &Error{File: f.Name, Line: line, Message: fmt.Sprintf(format, args...)}
}

// LineOf is the 1-based line of a byte offset.
func (f *File) LineOf(offset int) int {
	i, found := slices.BinarySearch(f.lineStarts, offset)
	if found {
		return i + 1
	}
	return i
}

// Location is the line of a parse tree location (a byte offset in the file), or of the
// statement when the node has none.
func (f *File) Location(st Statement, location int32) int {
	if location < 0 {
		return st.Line
	}
	return f.LineOf(int(location))
}

func (f *File) index() {
	f.lineStarts = []int{0}
	for i, c := range f.Text {
		if c == '\n' {
			f.lineStarts = append(f.lineStarts, i+1)
		}
	}
}

var fieldLine = regexp.MustCompile(`^--\s?([a-z][a-z-]*):(\s+(.*))?$`)

// readHeader reads the fields of the comment lines that open the file, up to the first blank
// line or SQL. A "-- word: …" line whose word is not a field is an error (a misspelt field
// must not be silently ignored); other comment lines are free text.
func (f *File) readHeader(tokens []*pg_query.ScanToken, fields []string) error {
	prevLine := 0
	var last *Field
	for _, tok := range tokens {
		if tok.Token != pg_query.Token_SQL_COMMENT {
			break
		}
		line := f.LineOf(int(tok.Start))
		if prevLine != 0 && line > prevLine+1 {
			break // a blank line ends the header
		}
		prevLine = line
		c := f.Text[tok.Start:tok.End]
		if m := fieldLine.FindStringSubmatch(c); m != nil {
			key := m[1]
			if !slices.Contains(fields, key) {
				return f.errorf(line, "unknown header field %q (fields: %s)", key, strings.Join(fields, ", "))
			}
			if slices.ContainsFunc(f.Header, func(h Field) bool { return h.Key == key }) {
				return f.errorf(line, "header field %q given twice", key)
			}
			f.Header = append(f.Header, Field{Key: key, Value: strings.TrimSpace(m[3]), Line: line})
			last = &f.Header[len(f.Header)-1]
			continue
		}
		rest := strings.TrimPrefix(c, "--")
		if last != nil && strings.HasPrefix(rest, "  ") && strings.TrimSpace(rest) != "" {
			last.Value = strings.TrimSpace(last.Value + " " + strings.TrimSpace(rest))
			continue
		}
		last = nil
	}
	return nil
}

// Get is a header field's value and line ("" and 0 when the file does not set it).
func (f *File) Get(key string) (string, int) {
	for _, h := range f.Header {
		if h.Key == key {
			return h.Value, h.Line
		}
	}
	return "", 0
}

type ref struct {
	start, end int // of ":name" in the file
	param      int
}

// substitute finds the psql variables (":" then a name, adjacent) and returns the text with
// each replaced by its parameter, padded to the same width.
func (f *File) substitute(tokens []*pg_query.ScanToken, vars map[string]int) (string, []ref, error) {
	var refs []ref
	b := []byte(f.Text)
	for i, tok := range tokens {
		s := f.Text[tok.Start:tok.End]
		if tok.Token == pg_query.Token_PARAM && len(vars) == 0 {
			return "", nil, f.errorf(f.LineOf(int(tok.Start)), "%s: a parameter, where none has a value", s)
		}
		if tok.Token == pg_query.Token_PARAM {
			return "", nil, f.errorf(f.LineOf(int(tok.Start)), "%s: write the psql variables %s instead of parameters, so that psql runs the file as it is",
				s, varList(vars))
		}
		if s != ":" || i+1 == len(tokens) || tokens[i+1].Start != tok.End {
			continue
		}
		next := tokens[i+1]
		n, ok := vars[f.Text[next.Start:next.End]]
		if !ok {
			continue
		}
		r := ref{start: int(tok.Start), end: int(next.End), param: n}
		p := fmt.Sprintf("$%d", n)
		copy(b[r.start:r.end], p+strings.Repeat(" ", r.end-r.start-len(p)))
		refs = append(refs, r)
	}
	return string(b), refs, nil
}

func varList(vars map[string]int) string {
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, ":"+n)
	}
	slices.Sort(names)
	return strings.Join(names, " and ")
}

// unpad is text[from:to] with each variable replaced by its parameter.
func unpad(text string, from, to int, refs []ref) string {
	var b strings.Builder
	at := from
	for _, r := range refs {
		if r.start < from || r.end > to {
			continue
		}
		b.WriteString(text[at:r.start])
		fmt.Fprintf(&b, "$%d", r.param)
		at = r.end
	}
	b.WriteString(text[at:to])
	return b.String()
}

// firstCode is the offset of the first token in [from, to) that is not a comment, -1 if none.
func firstCode(tokens []*pg_query.ScanToken, from, to int) int {
	for _, tok := range tokens {
		if int(tok.Start) < from || tok.Token == pg_query.Token_SQL_COMMENT || tok.Token == pg_query.Token_C_COMMENT {
			continue
		}
		if int(tok.Start) >= to {
			return -1
		}
		return int(tok.Start)
	}
	return -1
}

// commentAbove is the block of "--" lines that ends on the line before offset, each on a line
// of its own and with no blank line between.
func (f *File) commentAbove(tokens []*pg_query.ScanToken, offset int) string {
	i := slices.IndexFunc(tokens, func(t *pg_query.ScanToken) bool { return int(t.Start) == offset })
	want := f.LineOf(offset) - 1
	var lines []string
	for j := i - 1; j >= 0; j-- {
		tok := tokens[j]
		if tok.Token != pg_query.Token_SQL_COMMENT || f.LineOf(int(tok.Start)) != want || !f.ownLine(int(tok.Start)) {
			break
		}
		lines = append(lines, strings.TrimSpace(strings.TrimPrefix(f.Text[tok.Start:tok.End], "--")))
		want--
	}
	slices.Reverse(lines)
	return strings.TrimSpace(strings.Join(lines, " "))
}

// ownLine reports that only blanks precede offset on its line.
func (f *File) ownLine(offset int) bool {
	start := f.lineStarts[f.LineOf(offset)-1]
	return strings.TrimSpace(f.Text[start:offset]) == ""
}

// syntaxError places the parser's error at its line.
func (f *File) syntaxError(err error) *Error {
	var pgErr *parser.Error
	if !errors.As(err, &pgErr) {
		return f.errorf(1, "does not parse: %v", err)
	}
	line := 1
	if pgErr.Cursorpos > 0 {
		offset := sqlexpr.CharOffset(f.Text, pgErr.Cursorpos-1)
		if strings.TrimSpace(f.Text[offset:]) == "" {
			offset = max(len(strings.TrimRight(f.Text, " \t\r\n"))-1, 0)
		}
		line = f.LineOf(offset)
	}
	return f.errorf(line, "does not parse: %s", pgErr.Message)
}
