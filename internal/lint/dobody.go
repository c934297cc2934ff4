package lint

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/steadydb/steady/internal/fingerprint"
)

// bodyContext marks the statements of a DO block while they are checked.
type bodyContext struct{}

// doBlock lints the statements a DO block runs (fingerprint.PlpgsqlBody): static ones, EXECUTE
// of a constant, and EXECUTE of a string built by format() or || from constant text, whose
// shape is known though its names are not. What stays dynamic is reported as not analysed
// rather than passed in silence.
func (c *checker) doBlock(d *pg_query.DoStmt, st fingerprint.Statement) []hit {
	body, lang := "", "plpgsql"
	for _, a := range d.Args {
		switch de := a.GetDefElem(); de.GetDefname() {
		case "as":
			body = de.Arg.GetString_().GetSval()
		case "language":
			lang = strings.ToLower(de.Arg.GetString_().GetSval())
		}
	}
	if lang != "plpgsql" {
		return []hit{{rule: dynamicSQLNotAnalysed, detail: fmt.Sprintf("a DO block in %s: steady reads only PL/pgSQL bodies", lang)}}
	}
	parts, err := fingerprint.PlpgsqlBody(body, "")
	if err != nil {
		return []hit{{rule: dynamicSQLNotAnalysed, detail: fmt.Sprintf("the DO block's body: %v", err)}}
	}
	// Dollar-quoted bodies appear verbatim in the file, so each part's line maps back to it.
	bodyAt := -1
	if i := strings.Index(st.SQL, body); i >= 0 && body != "" {
		bodyAt = st.Offset + i
	}
	var hits []hit
	c.body = &bodyContext{}
	defer func() { c.body = nil }()
	for _, p := range parts {
		at := c.lineOffset(bodyAt, p.Line, st.Offset)
		sql := p.SQL
		if p.Dynamic {
			if p.Template == "" {
				hits = append(hits, hit{rule: dynamicSQLNotAnalysed, offset: at,
					detail: fmt.Sprintf("EXECUTE %s in a DO block: the statement is built at run time and was not analysed", short(p.SQL))})
				continue
			}
			sql = p.Template
		}
		m, err := fingerprint.Parse(c.file.Name, sql)
		if err != nil {
			if p.Dynamic {
				hits = append(hits, hit{rule: dynamicSQLNotAnalysed, offset: at,
					detail: fmt.Sprintf("EXECUTE %s in a DO block: its shape (%s) does not parse alone, so it was not analysed", short(p.SQL), short(sql))})
			}
			continue
		}
		for _, inner := range m.Statements {
			for _, h := range c.statement(inner) {
				h.offset = at
				if p.Dynamic {
					h.dynamic = true
					h.detail = strings.ReplaceAll(strings.ReplaceAll(h.detail, "public."+fingerprint.DynamicName, fingerprint.DynamicName),
						fingerprint.DynamicName, "(a name computed at run time)")
				}
				h.detail += " (in a DO block)"
				hits = append(hits, h)
			}
			c.set.apply(inner)
		}
	}
	return hits
}

// lineOffset is the file offset of the first non-blank character of a body's line; the DO
// statement's own offset when the body could not be placed.
func (c *checker) lineOffset(bodyAt, line, fallback int) int {
	if bodyAt < 0 || line < 1 {
		return fallback
	}
	text := c.file.SQL
	off := bodyAt
	for l := 1; l < line; l++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return fallback
		}
		off += i + 1
	}
	for off < len(text) && (text[off] == ' ' || text[off] == '\t') {
		off++
	}
	return off
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
