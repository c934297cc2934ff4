package layering_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// riverStatement is SQL that reads or writes one of River's tables.
var riverStatement = regexp.MustCompile(`(?is)\b(from|join|update|into|table)\s+("?[a-z_]+"?\.)?river_(job|leader|migration|queue|client|client_queue)\b`)

// River is before 1.0 and may change its schema: only internal/riverdb, whose test fails when
// River's schema version moves, may send a statement on River's tables.
func TestOnlyRiverdbQueriesRiversTables(t *testing.T) {
	var found []string
	for _, p := range packages(t) {
		if under(p.ImportPath, "internal/riverdb") {
			continue
		}
		for _, name := range p.GoFiles {
			path := filepath.Join(p.Dir, name)
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
			require.NoError(t, err)
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				if v, err := strconv.Unquote(lit.Value); err == nil && riverStatement.MatchString(v) {
					found = append(found, short(p.ImportPath)+"/"+name+": "+riverStatement.FindString(v))
				}
				return true
			})
		}
	}
	require.Empty(t, found, "statements on River's tables outside internal/riverdb")
}

func TestRiverStatementPattern(t *testing.T) {
	for _, s := range []string{"SELECT 1 FROM river_job j", "UPDATE river_job SET", "DELETE FROM\n river_leader", `JOIN "app".river_job`, "INSERT INTO river_job (kind)"} {
		require.Regexp(t, riverStatement, s)
	}
	for _, s := range []string{"river_job", "'river_job'", "steady_river_jobs"} {
		require.NotRegexp(t, riverStatement, s)
	}
}
