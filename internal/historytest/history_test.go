package historytest

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// This file is the test's own reading of a migration directory: which tool's format it is,
// which files, in which order, and what psql runs of each. It is deliberately independent of
// internal/migrate, whose loader is what the sweep checks.

// format is the tool a history was written for.
type format string

const (
	golangMigrate format = "golang-migrate"
	goose         format = "goose"
	flyway        format = "Flyway"
	dbmate        format = "dbmate"
)

// history is one directory of migrations in one tool's format.
type history struct {
	name   string
	format format
	dir    string // absolute: steady reads it as --migrations-dir
	files  []migrationFile
}

// migrationFile is one migration as psql applies it.
type migrationFile struct {
	file    string  // "044_inventory_per_warehouse.up.sql"
	version string  // as the tool records it: "44", "20230412093000", "3.2"
	order   []int64 // version's numeric segments, for ordering
	name    string  // the name part of the file name: "inventory_per_warehouse"
	// up is what psql runs: the file with every line outside its Up section blanked, so that
	// psql's line numbers in an error are the file's.
	up   string
	noTx bool // applied outside a transaction

	dataOnly     bool // every statement is a data statement (INSERT, UPDATE, DELETE, DO, COPY)
	dropOrRename bool // drops a table or a column, or renames something
}

func (f migrationFile) String() string { return f.file }

var (
	golangMigrateName = regexp.MustCompile(`^(\d+)_(.+)\.(up|down)\.sql$`)
	flywayName        = regexp.MustCompile(`^V(\d+(?:[._]\d+)*)__(.+)\.sql$`)
	timestampName     = regexp.MustCompile(`^(\d+)_(.+)\.sql$`)

	gooseUp        = regexp.MustCompile(`(?i)^--\s*\+goose\s+up\b`)
	gooseDown      = regexp.MustCompile(`(?i)^--\s*\+goose\s+down\b`)
	gooseNoTx      = regexp.MustCompile(`(?i)^--\s*\+goose\s+no\s+transaction\b`)
	dbmateUp       = regexp.MustCompile(`^--\s*migrate:up\b(.*)$`)
	dbmateDown     = regexp.MustCompile(`^--\s*migrate:down\b`)
	dbmateNoTx     = regexp.MustCompile(`\btransaction:false\b`)
	concurrentDDL  = regexp.MustCompile(`(?is)\b(CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\s+\w+)\s+CONCURRENTLY\b`)
	dropOrRenameRe = regexp.MustCompile(`(?is)\bDROP\s+(TABLE|COLUMN)\b|\bRENAME\b`)
)

// loadHistories reads every directory under testdata/.
func loadHistories(t *testing.T) []*history {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	require.NoError(t, err)
	var hs []*history
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir, err := filepath.Abs(filepath.Join("testdata", e.Name()))
		require.NoError(t, err)
		h, err := readHistory(e.Name(), dir)
		require.NoError(t, err)
		hs = append(hs, h)
	}
	require.NotEmpty(t, hs, "no history under testdata/")
	return hs
}

// readHistory detects the directory's format from its file names (golang-migrate, Flyway) or
// its markers (goose, dbmate) and splits each file into what psql applies.
func readHistory(name, dir string) (*history, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", name, err)
	}
	var sqlFiles []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
			sqlFiles = append(sqlFiles, e.Name())
		}
	}
	if len(sqlFiles) == 0 {
		return nil, fmt.Errorf("history %s: no .sql file in %s", name, dir)
	}
	h := &history{name: name, dir: dir}
	switch {
	case slices.ContainsFunc(sqlFiles, golangMigrateName.MatchString):
		h.format = golangMigrate
	case slices.ContainsFunc(sqlFiles, flywayName.MatchString):
		h.format = flyway
	}
	for _, file := range sqlFiles {
		text, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			return nil, fmt.Errorf("history %s: %w", name, err)
		}
		f, ok, err := splitFile(h, file, string(text))
		if err != nil {
			return nil, fmt.Errorf("history %s: %s: %w", name, file, err)
		}
		if ok {
			h.files = append(h.files, f)
		}
	}
	slices.SortStableFunc(h.files, func(a, b migrationFile) int { return compareVersions(a.order, b.order) })
	for i := 1; i < len(h.files); i++ {
		if compareVersions(h.files[i-1].order, h.files[i].order) == 0 {
			return nil, fmt.Errorf("history %s: %s and %s have the same version", name, h.files[i-1].file, h.files[i].file)
		}
	}
	if len(h.files) == 0 {
		return nil, fmt.Errorf("history %s: no up migration", name)
	}
	return h, nil
}

// splitFile reads one file of h; ok is false for a file psql never applies (a golang-migrate
// down file). The first goose or dbmate file fixes the format of a history of timestamps.
func splitFile(h *history, file, text string) (f migrationFile, ok bool, err error) {
	f.file = file
	switch h.format {
	case golangMigrate:
		m := golangMigrateName.FindStringSubmatch(file)
		if m == nil {
			return f, false, fmt.Errorf("not a golang-migrate file name (NNN_name.up.sql)")
		}
		if m[3] == "down" {
			return f, false, nil
		}
		f.version, f.name, f.up = trimZeros(m[1]), m[2], text
		f.noTx = concurrentDDL.MatchString(skeleton(text))
	case flyway:
		m := flywayName.FindStringSubmatch(file)
		if m == nil {
			return f, false, fmt.Errorf("not a Flyway versioned file name (V1_1__name.sql)")
		}
		f.version, f.name, f.up = strings.ReplaceAll(m[1], "_", "."), m[2], text
		f.noTx = concurrentDDL.MatchString(skeleton(text))
	default:
		m := timestampName.FindStringSubmatch(file)
		if m == nil {
			return f, false, fmt.Errorf("not a goose or dbmate file name (20240101120000_name.sql)")
		}
		f.version, f.name = trimZeros(m[1]), m[2]
		var detected format
		f.up, f.noTx, detected, err = splitMarkers(text)
		if err != nil {
			return f, false, err
		}
		if h.format != "" && h.format != detected {
			return f, false, fmt.Errorf("a %s file in a %s history", detected, h.format)
		}
		h.format = detected
	}
	f.order, err = versionOrder(f.version)
	if err != nil {
		return f, false, err
	}
	f.dataOnly, f.dropOrRename = classify(f.up)
	return f, true, nil
}

// splitMarkers keeps the Up section of a goose or dbmate file.
func splitMarkers(text string) (up string, noTx bool, detected format, err error) {
	lines := strings.SplitAfter(text, "\n")
	var upStart, upEnd = -1, len(lines)
	for i, line := range lines {
		l := strings.TrimSpace(line)
		switch {
		case gooseNoTx.MatchString(l):
			noTx = true
		case gooseUp.MatchString(l) && upStart < 0:
			upStart, detected = i+1, goose
		case gooseDown.MatchString(l) && detected == goose && upEnd == len(lines):
			upEnd = i
		case dbmateUp.MatchString(l) && upStart < 0:
			upStart, detected = i+1, dbmate
			noTx = dbmateNoTx.MatchString(dbmateUp.FindStringSubmatch(l)[1])
		case dbmateDown.MatchString(l) && detected == dbmate && upEnd == len(lines):
			upEnd = i
		}
	}
	if upStart < 0 {
		return "", false, "", fmt.Errorf("no `-- +goose Up` or `-- migrate:up` marker")
	}
	if upEnd < upStart {
		return "", false, "", fmt.Errorf("the down marker comes before the up marker")
	}
	var b strings.Builder
	for i, line := range lines {
		if i >= upStart && i < upEnd {
			b.WriteString(line)
		} else if strings.HasSuffix(line, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String(), noTx, detected, nil
}

// versionOrder splits "3.2" into [3 2] and "20230412093000" into [20230412093000].
func versionOrder(v string) ([]int64, error) {
	var out []int64
	for _, part := range strings.Split(v, ".") {
		n, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("version %q: %w", v, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// compareVersions orders numerically, segment by segment, a missing segment as 0 (Flyway:
// 1 = 1.0 < 1.1 < 2).
func compareVersions(a, b []int64) int {
	for i := range max(len(a), len(b)) {
		var x, y int64
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

func trimZeros(digits string) string {
	if t := strings.TrimLeft(digits, "0"); t != "" {
		return t
	}
	return "0"
}

var (
	dollarTag     = regexp.MustCompile(`^\$[A-Za-z_][A-Za-z0-9_]*\$|^\$\$`)
	dataStatement = map[string]bool{"INSERT": true, "UPDATE": true, "DELETE": true, "DO": true, "COPY": true, "WITH": true, "SELECT": true}
)

// skeleton is sql without its comments, with each string literal, quoted identifier and
// dollar-quoted body (a DO block's, a function's) replaced by a placeholder: what is left are
// the statements' keywords and their separating semicolons. E'...' escapes are not followed.
func skeleton(sql string) string {
	var b strings.Builder
	for i := 0; i < len(sql); {
		rest := sql[i:]
		switch {
		case strings.HasPrefix(rest, "--"):
			n := strings.IndexByte(rest, '\n')
			if n < 0 {
				return b.String()
			}
			i += n
		case strings.HasPrefix(rest, "/*"):
			n := strings.Index(rest, "*/")
			if n < 0 {
				return b.String()
			}
			i += n + 2
			b.WriteByte(' ')
		case rest[0] == '\'' || rest[0] == '"':
			q := rest[0]
			j := 1
			for j < len(rest) && (rest[j] != q || (j+1 < len(rest) && rest[j+1] == q)) {
				if rest[j] == q { // a doubled quote inside
					j++
				}
				j++
			}
			i += min(j+1, len(rest))
			b.WriteString("x")
		case rest[0] == '$' && dollarTag.MatchString(rest):
			tag := dollarTag.FindString(rest)
			n := strings.Index(rest[len(tag):], tag)
			if n < 0 {
				return b.String()
			}
			i += len(tag) + n + len(tag)
			b.WriteString("'body'")
		default:
			b.WriteByte(rest[0])
			i++
		}
	}
	return b.String()
}

// classify tells whether a file only moves data, and whether it drops or renames; the sample
// of prefixes takes the points right after such files.
func classify(sql string) (dataOnly, dropOrRename bool) {
	s := skeleton(sql)
	dropOrRename = dropOrRenameRe.MatchString(s)
	statements := 0
	for stmt := range strings.SplitSeq(s, ";") {
		fields := strings.Fields(stmt)
		if len(fields) == 0 {
			continue
		}
		statements++
		if !dataStatement[strings.ToUpper(fields[0])] {
			return false, dropOrRename
		}
	}
	return statements > 0, dropOrRename
}
