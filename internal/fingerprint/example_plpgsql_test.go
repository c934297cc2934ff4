package fingerprint_test

import (
	"fmt"

	"github.com/steadydb/steady/internal/fingerprint"
)

// The statements a DO block runs, its branches flattened; a string built at run time is
// dynamic, with the template its constant text gives.
func ExamplePlpgsqlBody() {
	body := `
BEGIN
  IF NOT EXISTS (SELECT FROM pg_class WHERE relname = 'leads_status_idx') THEN
    EXECUTE 'CREATE INDEX leads_status_idx ON leads (status)';
  END IF;
  EXECUTE format('ALTER TABLE %I ADD COLUMN note text', 'leads_' || to_char(now(), 'YYYY'));
END`
	parts, err := fingerprint.PlpgsqlBody(body, "")
	if err != nil {
		panic(err)
	}
	for _, p := range parts {
		if p.Dynamic {
			fmt.Printf("line %d: dynamic, shaped like %q\n", p.Line, p.Template)
			continue
		}
		fmt.Printf("line %d: %s\n", p.Line, p.SQL)
	}
	// Output:
	// line 4: CREATE INDEX leads_status_idx ON leads (status)
	// line 6: dynamic, shaped like "ALTER TABLE steady_dynamic ADD COLUMN note text"
}
