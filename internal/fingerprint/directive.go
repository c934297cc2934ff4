package fingerprint

import (
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

const (
	directivePrefix        = "steady:"
	directiveNoTransaction = "steady:no-transaction"
	directiveFingerprint   = "steady:fingerprint"
	directiveAllow         = "steady:allow"
	fingerprintUsage       = "want: -- steady:fingerprint <kind> <name> [absent]"
	allowUsage             = "want: -- steady:allow <rule> <reason>"
)

// directives are the steady: line comments of a migration file.
type directives struct {
	noTransaction bool
	// fingerprints holds explicit effects by the byte offset of the statement they precede.
	fingerprints map[int][]Effect
	// allows holds the lint suppressions by the byte offset of the statement they precede.
	allows map[int][]Allow
}

// readDirectives finds the steady: line comments. The scanner's tokens tell comments from
// string literals and function bodies, so "-- steady:" inside a $$ body is not a directive.
// stmtStarts holds the offset of each statement's first token.
func (s *source) readDirectives(stmtStarts map[int]bool) (directives, error) {
	d := directives{fingerprints: map[int][]Effect{}, allows: map[int][]Allow{}}
	for i, t := range s.tokens {
		if t.Token != pg_query.Token_SQL_COMMENT {
			continue
		}
		body := strings.TrimSpace(strings.TrimPrefix(s.sql[t.Start:t.End], "--"))
		if !strings.HasPrefix(body, directivePrefix) {
			continue
		}
		line := s.line(int(t.Start))
		fail := func(format string, args ...any) (directives, error) {
			return directives{}, &ParseError{File: s.file, Line: line, Message: fmt.Sprintf(format, args...)}
		}
		if !s.ownLine(int(t.Start)) {
			return fail("%s directive must be on a line of its own", strings.Fields(body)[0])
		}
		if rest, ok := strings.CutPrefix(body, directiveAllow); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			// The reason is free text (quotes and all), so it is not split into fields.
			a, err := parseAllow(rest)
			if err != nil {
				return fail("%s: %s", directiveAllow, err)
			}
			next := s.nextCodeToken(i)
			if next < 0 {
				return fail("%s is followed by no statement", directiveAllow)
			}
			if !stmtStarts[next] {
				return fail("%s must stand on the lines just before a statement", directiveAllow)
			}
			a.Line = line
			d.allows[next] = append(d.allows[next], a)
			continue
		}
		fields, err := splitFields(body)
		if err != nil {
			return fail("%s", err)
		}
		switch fields[0] {
		case directiveNoTransaction:
			if len(fields) > 1 {
				return fail("%s takes no arguments", directiveNoTransaction)
			}
			d.noTransaction = true
		case directiveFingerprint:
			e, err := parseFingerprint(fields[1:])
			if err != nil {
				return fail("%s: %s", directiveFingerprint, err)
			}
			next := s.nextCodeToken(i)
			if next < 0 {
				return fail("%s is followed by no statement", directiveFingerprint)
			}
			if !stmtStarts[next] {
				return fail("%s must stand on the lines just before a statement", directiveFingerprint)
			}
			d.fingerprints[next] = append(d.fingerprints[next], e)
		default:
			return fail("unknown directive %q (known: %s, %s, %s)", fields[0], directiveNoTransaction, directiveFingerprint, directiveAllow)
		}
	}
	return d, nil
}

// ownLine reports whether only blanks precede offset on its line.
func (s *source) ownLine(offset int) bool {
	lineStart := strings.LastIndexByte(s.sql[:offset], '\n') + 1
	return strings.Trim(s.sql[lineStart:offset], " \t\r\f") == ""
}

// nextCodeToken is the offset of the first token after token i that is not a comment, or -1.
func (s *source) nextCodeToken(i int) int {
	for _, t := range s.tokens[i+1:] {
		if !isComment(t) {
			return int(t.Start)
		}
	}
	return -1
}

// kindParts is how many dot-separated parts each kind's name has: unqualified, qualified.
var kindParts = map[Kind][2]int{
	KindSchema:     {1, 1},
	KindExtension:  {1, 1},
	KindTable:      {1, 2},
	KindType:       {1, 2},
	KindFunction:   {1, 2},
	KindView:       {1, 2},
	KindSequence:   {1, 2},
	KindIndex:      {1, 2},
	KindColumn:     {2, 3},
	KindConstraint: {2, 3},
	KindTrigger:    {2, 3},
	KindEnumValue:  {2, 3},
}

var kindUsage = map[Kind]string{
	KindSchema:     "name",
	KindExtension:  "name",
	KindColumn:     "table.name or schema.table.name",
	KindConstraint: "table.name or schema.table.name",
	KindTrigger:    "table.name or schema.table.name",
	KindEnumValue:  "type.label or schema.type.label",
}

// parseFingerprint reads "<kind> <name> [absent]".
func parseFingerprint(args []string) (Effect, error) {
	if len(args) < 2 || len(args) > 3 {
		return Effect{}, fmt.Errorf("%s", fingerprintUsage)
	}
	kind := Kind(args[0])
	parts, ok := kindParts[kind]
	if !ok {
		return Effect{}, fmt.Errorf("unknown kind %q (known: %s)", args[0], knownKinds())
	}
	absent := len(args) == 3
	if absent && args[2] != "absent" {
		return Effect{}, fmt.Errorf("unexpected %q after the name; %s", args[2], fingerprintUsage)
	}
	names, err := splitName(args[1], kind == KindEnumValue)
	if err != nil || len(names) < parts[0] || len(names) > parts[1] {
		usage := kindUsage[kind]
		if usage == "" {
			usage = "name or schema.name"
		}
		return Effect{}, fmt.Errorf("%s %q: want %s", kind, args[1], usage)
	}
	return Effect{Object: directiveObject(kind, names), Absent: absent}, nil
}

func directiveObject(kind Kind, names []string) Object {
	o := Object{Kind: kind, Name: names[len(names)-1]}
	switch {
	case kind == KindSchema || kind == KindExtension:
	case len(names) == 1:
		o.Schema = "public"
	case kindParts[kind][1] == 2:
		o.Schema = names[0]
	case len(names) == 2:
		o.Schema, o.Table = "public", names[0]
	default:
		o.Schema, o.Table = names[0], names[1]
	}
	return o
}

func knownKinds() string {
	kinds := []Kind{KindSchema, KindExtension, KindTable, KindColumn, KindConstraint, KindIndex,
		KindType, KindEnumValue, KindFunction, KindTrigger, KindView, KindSequence}
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return strings.Join(out, ", ")
}

// splitFields splits a directive on blanks, keeping double-quoted text together.
func splitFields(s string) ([]string, error) {
	var fields []string
	var cur strings.Builder
	inQuote, inField := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQuote, inField = !inQuote, true
			cur.WriteRune(r)
		case !inQuote && (r == ' ' || r == '\t'):
			if inField {
				fields = append(fields, cur.String())
				cur.Reset()
				inField = false
			}
		default:
			cur.WriteRune(r)
			inField = true
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unterminated quoted identifier in %q", s)
	}
	if inField {
		fields = append(fields, cur.String())
	}
	return fields, nil
}

// splitName splits a dotted name into identifiers as PostgreSQL reads them: unquoted parts
// folded to lower case, "quoted" parts kept as written ("" is a quote). When keepLast is set
// the last part, an enum label, is kept as written: labels are strings, not identifiers.
func splitName(s string, keepLast bool) ([]string, error) {
	var parts []string
	var cur strings.Builder
	quoted, inQuote := false, false
	flush := func(last bool) error {
		part := cur.String()
		if part == "" {
			return fmt.Errorf("empty name part")
		}
		if !quoted && !(last && keepLast) {
			part = foldIdent(part)
		}
		parts = append(parts, part)
		cur.Reset()
		quoted = false
		return nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote && c == '"' && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			inQuote, quoted = !inQuote, true
		case !inQuote && c == '.':
			if err := flush(false); err != nil {
				return nil, err
			}
		default:
			cur.WriteByte(c)
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unterminated quote")
	}
	if err := flush(true); err != nil {
		return nil, err
	}
	return parts, nil
}

// foldIdent lower-cases ASCII letters, as PostgreSQL folds unquoted identifiers.
func foldIdent(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
