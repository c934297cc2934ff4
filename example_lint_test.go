package steady_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/steadydb/steady"
)

// Lint checks backfill and index files before a worker reads them: here an index on a table
// that no migration makes, against the built-in migrations. No database is needed.
func ExampleLint() {
	dir, err := os.MkdirTemp("", "indexes")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "leads.sql"), []byte(`-- The lead list by name.
CREATE INDEX leads_full_name_idx ON leads (full_name);

-- A typo in the table's name.
CREATE INDEX lead_status_idx ON lead (status);
`), 0o644); err != nil {
		panic(err)
	}
	res, err := steady.Lint(context.Background(), steady.LintOptions{Config: steady.Config{IndexesDir: dir}})
	if err != nil {
		panic(err)
	}
	for _, fe := range res.FileErrors {
		fmt.Printf("%s:%d: %s\n", filepath.Base(fe.File), fe.Line, fe.Message)
	}
	fmt.Println("exit code", res.ExitCode())

	// Output:
	// leads.sql:5: index lead_status_idx: no migration makes table lead
	// exit code 2
}
