package historytest

import (
	"regexp"
	"strings"
)

// A small SQL lexer: enough to find statements' keywords and the semicolons that end them,
// never inside a comment, a string, a quoted identifier or a dollar-quoted body.

var (
	dollarTag     = regexp.MustCompile(`^\$[A-Za-z_][A-Za-z0-9_]*\$|^\$\$`)
	dataStatement = map[string]bool{"INSERT": true, "UPDATE": true, "DELETE": true, "DO": true, "COPY": true, "WITH": true, "SELECT": true}
	// transactionStatement starts a statement that opens or ends a transaction block.
	transactionStatement = map[string]bool{"BEGIN": true, "START": true, "COMMIT": true, "END": true, "ROLLBACK": true, "ABORT": true}
)

// quoted measures the comment, string literal, quoted identifier or dollar-quoted body that
// rest starts with, and what stands for it in a skeleton; n is 0 when rest starts with code.
// E'...' escapes are not followed.
func quoted(rest string) (n int, stand string) {
	switch {
	case strings.HasPrefix(rest, "--"):
		if n = strings.IndexByte(rest, '\n'); n < 0 {
			return len(rest), ""
		}
		return n, ""
	case strings.HasPrefix(rest, "/*"):
		if n = strings.Index(rest, "*/"); n < 0 {
			return len(rest), " "
		}
		return n + 2, " "
	case rest[0] == '\'' || rest[0] == '"':
		q := rest[0]
		j := 1
		for j < len(rest) && (rest[j] != q || (j+1 < len(rest) && rest[j+1] == q)) {
			if rest[j] == q { // a doubled quote inside
				j++
			}
			j++
		}
		return min(j+1, len(rest)), "x"
	case rest[0] == '$' && dollarTag.MatchString(rest):
		tag := dollarTag.FindString(rest)
		if n = strings.Index(rest[len(tag):], tag); n < 0 {
			return len(rest), "'body'"
		}
		return len(tag) + n + len(tag), "'body'"
	}
	return 0, ""
}

// skeleton is sql without its comments, with each string literal, quoted identifier and
// dollar-quoted body (a DO block's, a function's) replaced by a placeholder: what is left are
// the statements' keywords and their separating semicolons.
func skeleton(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); {
		if n, stand := quoted(sql[i:]); n > 0 {
			b.WriteString(stand)
			i += n
			continue
		}
		b.WriteByte(sql[i])
		i++
	}
	return b.String()
}

// splitStatements cuts sql at the semicolons that end statements, each statement trimmed and
// without its semicolon, empty ones left out.
func splitStatements(sql string) []string {
	var out []string
	start := 0
	cut := func(end int) {
		if s := strings.TrimSpace(sql[start:end]); skeletonHasCode(s) {
			out = append(out, s)
		}
	}
	for i := 0; i < len(sql); {
		if n, _ := quoted(sql[i:]); n > 0 {
			i += n
			continue
		}
		if sql[i] == ';' {
			cut(i)
			start = i + 1
		}
		i++
	}
	cut(len(sql))
	return out
}

func skeletonHasCode(s string) bool { return strings.TrimSpace(skeleton(s)) != "" }

// firstWords is the first keyword of every statement of sql.
func firstWords(sql string) []string {
	var out []string
	for stmt := range strings.SplitSeq(skeleton(sql), ";") {
		if fields := strings.Fields(stmt); len(fields) > 0 {
			out = append(out, strings.ToUpper(fields[0]))
		}
	}
	return out
}

// classify tells whether a file only moves data, and whether it drops or renames; the sample
// of prefixes takes the points right after such files.
func classify(sql string) (dataOnly, dropOrRename bool) {
	dropOrRename = dropOrRenameRe.MatchString(skeleton(sql))
	words := firstWords(sql)
	for _, w := range words {
		if !dataStatement[w] {
			return false, dropOrRename
		}
	}
	return len(words) > 0, dropOrRename
}

// ownsTransaction: the file holds its own BEGIN/COMMIT, so a statement-by-statement applier
// must not wrap it in another transaction.
func ownsTransaction(sql string) bool {
	for _, w := range firstWords(sql) {
		if transactionStatement[w] {
			return true
		}
	}
	return false
}

// gooseStatements splits a goose file's Up section as goose v3 does: outside a
// StatementBegin/StatementEnd block a line whose last word before any "--" ends with ";" ends
// a statement; a block is one statement; comment and blank lines before a statement are
// dropped.
func gooseStatements(text string) []string {
	var out []string
	var buf strings.Builder
	inUp, inBlock := false, false
	flush := func() {
		if s := strings.TrimSpace(buf.String()); s != "" {
			out = append(out, s)
		}
		buf.Reset()
	}
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\r\n")
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") && strings.Contains(line, "+goose") {
			switch annotation := strings.ToLower(strings.Join(strings.Fields(strings.NewReplacer("--", "", "+goose", "").Replace(line)), " ")); annotation {
			case "up":
				inUp = true
			case "down":
				inUp = false
			case "statementbegin":
				inBlock = inUp
			case "statementend":
				if inUp && inBlock {
					flush()
				}
				inBlock = false
			}
			continue
		}
		if !inUp || (buf.Len() == 0 && (strings.HasPrefix(trimmed, "--") || line == "")) {
			continue
		}
		buf.WriteString(line + "\n")
		if !inBlock && endsWithSemicolon(line) {
			flush()
		}
	}
	flush()
	return out
}

// endsWithSemicolon is goose's test: the last word before a word starting with "--" ends with ";".
func endsWithSemicolon(line string) bool {
	prev := ""
	for word := range strings.FieldsSeq(line) {
		if strings.HasPrefix(word, "--") {
			break
		}
		prev = word
	}
	return strings.HasSuffix(prev, ";")
}
