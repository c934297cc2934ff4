package lint_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/lint"
)

// TestSamples lints the sample migrations of docs/lint.md offline, each alone as `steady lint
// internal/lint/testdata/samples` does, and checks the "steady offline" column of its table.
func TestSamples(t *testing.T) {
	t.Parallel()
	l, err := lint.New(lint.Config{})
	require.NoError(t, err)
	want := map[string][]string{
		"s01_create_index.sql":                      {"warning require-concurrent-index-creation"},
		"s02_create_index_concurrently.sql":         nil,
		"s03_new_table_with_index.sql":              nil,
		"s04_drop_index.sql":                        {"warning require-concurrent-index-deletion"},
		"s05_add_foreign_key.sql":                   {"warning constraint-missing-not-valid"},
		"s06_check_validated_in_same_migration.sql": {"warning constraint-missing-not-valid"},
		"s07_set_not_null.sql":                      {"warning adding-not-nullable-field"},
		"s08_add_required_column.sql":               {"error adding-required-field"},
		"s09_add_column_volatile_default.sql":       {"warning adding-field-with-default"},
		"s10_add_column_constant_default.sql":       {"info prefer-bigint-over-smallint"},
		"s11_change_column_type.sql":                {"info changing-column-type", "info prefer-text-field"},
		"s12_widen_varchar.sql":                     {"info prefer-text-field", "info prefer-text-field"},
		"s13_unique_constraint.sql":                 {"warning disallowed-unique-constraint"},
		"s14_unique_using_index.sql":                nil,
		"s15_rename_column.sql":                     {"warning renaming-column"},
		"s16_drop_column_allowed.sql":               {"allowed ban-drop-column"},
		"s17_concurrent_index_in_transaction.sql":   {"warning ban-concurrent-index-creation-in-transaction"},
		"s18_insert_not_rerunnable.sql":             {"info prefer-robust-stmts"},
		"s19_drop_table.sql":                        {"warning ban-drop-table"},
		"s20_transaction_nesting.sql":               nil, // one block around the whole file: run as written
	}
	paths, err := filepath.Glob("testdata/samples/*.sql")
	require.NoError(t, err)
	require.Len(t, paths, len(want))
	for _, p := range paths {
		name := filepath.Base(p)
		body, err := os.ReadFile(p)
		require.NoError(t, err)
		m, err := fingerprint.Parse(name, string(body))
		require.NoError(t, err, name)
		rep := l.Lint([]lint.File{{Name: name, SQL: string(body), Migration: m}}, nil)
		var got []string
		for _, f := range rep.Findings {
			if f.Allowed != "" {
				got = append(got, "allowed "+f.Rule)
			} else {
				got = append(got, f.Severity.String()+" "+f.Rule)
			}
		}
		require.Equal(t, want[name], got, name)
	}
}
