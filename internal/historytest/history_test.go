package historytest

import (
	"cmp"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// This file and formats_test.go are the test's own reading of a migration directory: which
// tool's format it is, which files, in which order, and what the tool sends of each. They are
// deliberately independent of internal/migrate, whose loader is what the sweep checks.

// format is the tool a history was written for, named as steady's --migrations-format names it.
type format string

const (
	steadyFormat  format = "steady"
	golangMigrate format = "golang-migrate"
	goose         format = "goose"
	flyway        format = "flyway"
	dbmate        format = "dbmate"
	prisma        format = "prisma"
	supabase      format = "supabase"
	sqlx          format = "sqlx"
	diesel        format = "diesel"
)

var formats = []format{steadyFormat, golangMigrate, goose, flyway, dbmate, prisma, supabase, sqlx, diesel}

// String is the tool's name as the summary lines print it.
func (f format) String() string {
	switch f {
	case flyway:
		return "Flyway"
	case prisma:
		return "Prisma"
	case supabase:
		return "Supabase CLI"
	}
	return string(f)
}

func parseFormat(s string) (format, error) {
	for _, f := range formats {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q (want one of %v)", s, formats)
}

// declaredFormats names the own histories whose files do not show their tool: the Supabase
// CLI and sqlx name files as steady does, so their users tell steady (--migrations-format).
var declaredFormats = map[string]format{"journal": supabase, "ledger": sqlx}

// history is one directory of migrations in one tool's format.
type history struct {
	name     string
	format   format
	declared bool   // the format is given, not detected: steady is told it too
	dir      string // absolute: steady reads it as --migrations-dir
	setup    string // absolute path of SQL a platform runs before file 1 ("" when none)
	args     []string
	files    []migrationFile
}

// migrationFile is one migration as its tool applies it.
type migrationFile struct {
	file     string // relative to the directory: "044_x.up.sql", "20240101120000_x/migration.sql"
	version  string // the version's digits without leading zeros: "44", "20230412093000", "3.2"
	recorded string // the version as the tool writes it in its table: "00000000000000", "1.1"
	order    []int64
	name     string // the name part: "inventory_per_warehouse"
	text     string // the whole file, as the tool checksums it
	// up is what the tool runs of the file: the file with every line outside its Up section
	// blanked, so that an error's line number is the file's.
	up   string
	send sending
	noTx bool // the applier opens no transaction around it
	// statements are what goose sends, one by one (send == eachStatement).
	statements []string

	dataOnly     bool // every statement is a data statement (INSERT, UPDATE, DELETE, DO, COPY)
	dropOrRename bool // drops a table or a column, or renames something
}

func (f migrationFile) String() string { return f.file }

// ownHistories reads every directory under testdata/, with its setup file
// (testdata/NAME.setup.sql) when there is one.
func ownHistories(t *testing.T) []*history {
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
		f, declared := declaredFormats[e.Name()]
		h, err := readHistory(e.Name(), dir, f)
		require.NoError(t, err)
		h.declared = declared
		if setup := dir + ".setup.sql"; fileExists(setup) {
			h.setup = setup
		}
		hs = append(hs, h)
	}
	require.NotEmpty(t, hs, "no history under testdata/")
	return hs
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// readHistory reads a directory in the given format, or detects it ("") from the layout
// (Prisma's and diesel's directories), the file names (golang-migrate, Flyway) or the markers
// (goose, dbmate).
func readHistory(name, dir string, f format) (*history, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", name, err)
	}
	h := &history{name: name, dir: dir, format: f}
	if h.format == "" {
		h.format = detectLayout(dir, entries)
	}
	for _, e := range entries {
		mf, ok, err := readEntry(h, e)
		if err != nil {
			return nil, fmt.Errorf("history %s: %s: %w", name, e.Name(), err)
		}
		if ok {
			h.files = append(h.files, mf)
		}
	}
	if len(h.files) == 0 {
		return nil, fmt.Errorf("history %s: no up migration in %s", name, dir)
	}
	slices.SortStableFunc(h.files, h.compare)
	for i := 1; i < len(h.files); i++ {
		if h.compare(h.files[i-1], h.files[i]) == 0 {
			return nil, fmt.Errorf("history %s: %s and %s have the same version", name, h.files[i-1].file, h.files[i].file)
		}
	}
	return h, nil
}

// compare orders two files as the history's tool does: Prisma, the Supabase CLI and dbmate by
// their directory's or file's name, diesel by its versions as strings (2025-11-19-091444-0000
// comes before 2026-05-27-120000), the others numerically, part by part, a missing part as 0
// (Flyway: 1 = 1.0 < 1.1 < 2).
func (h *history) compare(a, b migrationFile) int {
	switch h.format {
	case prisma:
		return strings.Compare(path.Dir(a.file), path.Dir(b.file))
	case supabase, dbmate:
		return strings.Compare(a.file, b.file)
	case diesel:
		return strings.Compare(a.recorded, b.recorded)
	}
	return compareVersions(a.order, b.order)
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
