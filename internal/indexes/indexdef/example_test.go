package indexdef_test

import (
	"fmt"

	"github.com/steadydb/steady/internal/indexes/indexdef"
)

// Parse a catalog entry, render the statement that builds it through a transaction pooler,
// and compare it with what pg_get_indexdef prints for the index in place.
func ExampleDef_Same() {
	def, err := indexdef.Parse(`CREATE INDEX appointments_lead_upcoming_idx ON appointments (lead_id, starts_at)
		WHERE status IN ('scheduled', 'confirmed')`)
	if err != nil {
		panic(err)
	}
	fmt.Println(def.CreateConcurrently("public", def.Name))

	for _, found := range []string{
		// The same index, as PostgreSQL 15 prints it.
		`CREATE INDEX appointments_lead_upcoming_idx ON public.appointments USING btree (lead_id, starts_at) WHERE (status = ANY (ARRAY['scheduled'::appointment_status, 'confirmed'::appointment_status]))`,
		// An older definition under the same name: the builder replaces it.
		`CREATE INDEX appointments_lead_upcoming_idx ON public.appointments USING btree (lead_id)`,
	} {
		same, err := def.Same(found)
		if err != nil {
			panic(err)
		}
		fmt.Println("same:", same)
	}

	_, err = indexdef.Parse(`CREATE INDEX CONCURRENTLY IF NOT EXISTS leads_status_idx ON leads (status)`)
	fmt.Println(err)

	// Output:
	// CREATE INDEX CONCURRENTLY appointments_lead_upcoming_idx ON public.appointments USING btree (lead_id, starts_at) WHERE status IN ('scheduled', 'confirmed')
	// same: true
	// same: false
	// write CREATE INDEX without CONCURRENTLY: the builder adds it
}
