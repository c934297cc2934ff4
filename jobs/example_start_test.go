package jobs_test

import (
	"encoding/json"
	"fmt"

	"github.com/steadydb/steady/jobs"
)

// The steady_backfill_start job's arguments are a small JSON object; a Go program with its own
// River client inserts jobs.BackfillStartArgs, other languages write the JSON. Anything that is
// not the contract is refused when the worker reads it, and the job is cancelled with why.
func ExampleBackfillStartArgs() {
	from, to := int64(0), int64(100_000)
	b, err := json.Marshal(jobs.BackfillStartArgs{Backfill: "leads_phone_whatsapp", Slices: 4, From: &from, To: &to})
	if err != nil {
		panic(err)
	}
	fmt.Println(jobs.BackfillStartKind, string(b))

	for _, args := range []string{`{"backfill": "leads_phone_whatsapp"}`, `{"backfill": "leads_phone_whatsapp", "slice": 4}`, `{"slices": 4}`} {
		var a jobs.BackfillStartArgs
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			panic(err) // never: a refusal is kept for Check, so that River does not retry the job
		}
		fmt.Println(a.Check())
	}

	// Output:
	// steady_backfill_start {"backfill":"leads_phone_whatsapp","slices":4,"from":0,"to":100000}
	// <nil>
	// args {"backfill": "leads_phone_whatsapp", "slice": 4}: json: unknown field "slice"
	// args: "backfill" is required: the name of a catalog backfill
}
