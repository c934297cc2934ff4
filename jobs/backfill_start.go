package jobs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
)

// BackfillStartKind is the River kind of the job that starts a backfill run: a program in any
// language that can insert a River job (River's Python and Ruby clients, plain SQL) starts a
// run with it, as steady backfill enqueue does (docs/river-jobs.md).
const BackfillStartKind = "steady_backfill_start"

// BackfillStartArgs asks the worker to start a run of a catalog backfill. Its JSON is the
// contract:
//
//	{"backfill": "leads_phone_whatsapp", "slices": 4, "from": 0, "to": 100000}
//
// backfill is required; slices (1 to 1024, default the file's), from and to (the run covers
// the keys above from, up to to; default the table's whole range) are optional. Any other
// field, or a field of the wrong type, is bad args: the worker cancels the job at once with the
// reason in its errors, and writes nothing else.
type BackfillStartArgs struct {
	Backfill string `json:"backfill"`
	Slices   int    `json:"slices,omitempty"`
	From     *int64 `json:"from,omitempty"`
	To       *int64 `json:"to,omitempty"`

	// invalid is why the job's JSON is not these args: River retries a job whose args do not
	// decode, so the decoding never fails and the worker cancels the job instead.
	invalid error
}

func (BackfillStartArgs) Kind() string { return BackfillStartKind }

// InsertOpts: the default queue, a few attempts (a lost connection while starting is retried;
// a retry finds the run it started, if it did).
func (BackfillStartArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, MaxAttempts: 5}
}

// UnmarshalJSON decodes strictly (unknown fields and wrong types are refused) and keeps the
// refusal for Check instead of failing.
func (a *BackfillStartArgs) UnmarshalJSON(data []byte) error {
	type plain BackfillStartArgs
	var p plain
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		*a = BackfillStartArgs{invalid: fmt.Errorf("args %s: %w", bytes.TrimSpace(data), err)}
		return nil
	}
	*a = BackfillStartArgs(p)
	return nil
}

// Check reports args no run can have: JSON that did not decode, no backfill.
func (a BackfillStartArgs) Check() error {
	switch {
	case a.invalid != nil:
		return a.invalid
	case a.Backfill == "":
		return errors.New(`args: "backfill" is required: the name of a catalog backfill`)
	}
	return nil
}
