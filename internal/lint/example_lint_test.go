package lint_test

import (
	"fmt"
	"os"

	"github.com/steadydb/steady/internal/fingerprint"
	"github.com/steadydb/steady/internal/lint"
)

// Lint a pending set of two migrations offline: the index on a table the first one creates is no
// finding, the one on an existing table is.
func ExampleLinter_Lint() {
	l, err := lint.New(lint.Config{})
	if err != nil {
		panic(err)
	}
	var set []lint.File
	for _, f := range []struct{ name, sql string }{
		{"0039_notes.sql", "CREATE TABLE notes (id bigint, lead_id bigint);\nCREATE INDEX notes_lead_idx ON notes (lead_id);\n"},
		{"0040_leads_status.sql", "-- The lead list filters by status.\nCREATE INDEX leads_status_idx ON leads (status);\n"},
	} {
		m, err := fingerprint.Parse(f.name, f.sql)
		if err != nil {
			panic(err)
		}
		set = append(set, lint.File{Name: f.name, SQL: f.sql, Migration: m})
	}
	rep := l.Lint(set, nil) // nil: offline, no catalog
	for _, f := range rep.Findings {
		fmt.Println(f)
		fmt.Println("lock:", f.Lock)
	}
	fmt.Println(rep.Summary())
	_ = rep.WriteGitHub(os.Stdout, nil)
	// Output:
	// 0040_leads_status.sql:2:1 warning require-concurrent-index-creation: CREATE INDEX leads_status_idx on public.leads without CONCURRENTLY
	// lock: SHARE
	// 1 finding in 2 files: 0 errors, 1 warning, 0 info; 0 allowed
	// ::warning file=0040_leads_status.sql,line=2,col=1,title=require-concurrent-index-creation::CREATE INDEX leads_status_idx on public.leads without CONCURRENTLY%0Alock: SHARE%0Awhy: CREATE INDEX without CONCURRENTLY blocks every INSERT, UPDATE and DELETE on the table until the build ends.%0Asafe: Run CREATE INDEX CONCURRENTLY IF NOT EXISTS alone in its migration (steady runs it outside a transaction); if the build fails it leaves an INVALID index: drop it and build again.
}
