package fingerprint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// unverifiableNodes are the statements the catalog cannot show, which may ship without a
// steady:fingerprint directive.
var unverifiableNodes = map[string]bool{
	"InsertStmt": true, "UpdateStmt": true, "DeleteStmt": true,
	"CommentStmt": true, "DoStmt": true, "GrantStmt": true,
}

// TestShippedMigrations parses steady's own migrations: each must parse, and every statement
// that changes the schema must leave something the catalog can show.
func TestShippedMigrations(t *testing.T) {
	t.Parallel()

	paths, err := filepath.Glob("../../migrations/*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no migrations found in ../../migrations")

	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			sql, err := os.ReadFile(path)
			require.NoError(t, err)
			m, err := Parse(filepath.Base(path), string(sql))
			require.NoError(t, err)
			require.NotEmpty(t, m.Statements)
			for _, st := range m.Statements {
				if unverifiableNodes[st.Node] {
					continue
				}
				require.True(t, st.Verifiable(), "%s:%d: %s statement has no effect the catalog can show:\n%s",
					filepath.Base(path), st.Line, st.Node, st.SQL)
			}
		})
	}
}
