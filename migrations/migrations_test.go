package migrations

import (
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var fileNameRE = regexp.MustCompile(`^\d{4}_[a-z0-9_]+\.sql$`)

// fingerprintKinds mirrors the kinds the engine understands (internal/fingerprint.Kind).
var fingerprintKinds = map[string]bool{
	"schema": true, "extension": true, "table": true, "column": true, "constraint": true,
	"index": true, "type": true, "enum_value": true, "function": true, "trigger": true,
	"view": true, "sequence": true,
}

type migrationFile struct {
	name string
	sql  string
}

func setup(t *testing.T) []migrationFile {
	t.Helper()
	entries, err := fs.ReadDir(FS, ".")
	require.NoError(t, err)
	require.NotEmpty(t, entries, "no migrations embedded")

	files := make([]migrationFile, 0, len(entries))
	for _, e := range entries {
		require.False(t, e.IsDir(), "unexpected directory %s", e.Name())
		b, err := fs.ReadFile(FS, e.Name())
		require.NoError(t, err)
		files = append(files, migrationFile{name: e.Name(), sql: string(b)})
	}
	return files // fs.ReadDir sorts by name, which is version order
}

func TestMigrationFiles(t *testing.T) {
	t.Parallel()

	t.Run("NamesMatchPattern", func(t *testing.T) {
		t.Parallel()
		for _, f := range setup(t) {
			require.Regexp(t, fileNameRE, f.name)
		}
	})

	t.Run("VersionsUniqueAndContiguousFromOne", func(t *testing.T) {
		t.Parallel()
		seen := map[int]string{}
		for i, f := range setup(t) {
			v, err := strconv.Atoi(f.name[:4])
			require.NoError(t, err, f.name)
			prev, dup := seen[v]
			require.False(t, dup, "version %04d used by %s and %s", v, prev, f.name)
			seen[v] = f.name
			require.Equal(t, i+1, v, "%s: versions must be contiguous from 0001", f.name)
		}
	})

	t.Run("NotEmpty", func(t *testing.T) {
		t.Parallel()
		for _, f := range setup(t) {
			require.NotEmpty(t, strings.TrimSpace(stripLineComments(f.sql)), "%s has no SQL", f.name)
		}
	})

	t.Run("StartsWithPurposeComment", func(t *testing.T) {
		t.Parallel()
		for _, f := range setup(t) {
			first, _, _ := strings.Cut(f.sql, "\n")
			require.True(t, strings.HasPrefix(first, "-- ") && !strings.HasPrefix(first, "-- steady:"),
				"%s must start with a -- comment saying what it is for", f.name)
		}
	})

	// Index builds run CONCURRENTLY from the index catalog, which cannot run in a migration's
	// transaction (25001).
	t.Run("NoConcurrently", func(t *testing.T) {
		t.Parallel()
		for _, f := range setup(t) {
			require.NotContains(t, strings.ToUpper(f.sql), "CONCURRENTLY", f.name)
		}
	})

	t.Run("DirectivesWellFormed", func(t *testing.T) {
		t.Parallel()
		for _, f := range setup(t) {
			for i, line := range strings.Split(f.sql, "\n") {
				line = strings.TrimSpace(line)
				rest, ok := strings.CutPrefix(line, "-- steady:")
				if !ok {
					continue
				}
				fields := strings.Fields(rest)
				where := f.name + ":" + strconv.Itoa(i+1)
				switch fields[0] {
				case "no-transaction":
					require.Len(t, fields, 1, where)
				case "allow":
					require.GreaterOrEqual(t, len(fields), 3, "%s: want -- steady:allow <rule> <reason>", where)
				case "fingerprint":
					require.True(t, len(fields) == 3 || (len(fields) == 4 && fields[3] == "absent"),
						"%s: want -- steady:fingerprint <kind> <name> [absent]", where)
					require.True(t, fingerprintKinds[fields[1]], "%s: unknown kind %q", where, fields[1])
				default:
					require.Failf(t, "unknown directive", "%s: %q", where, line)
				}
			}
		}
	})
}

func stripLineComments(sql string) string {
	var b strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
