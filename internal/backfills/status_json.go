package backfills

import (
	"encoding/json"
	"time"
)

// statusJSON is a RunStatus as steady backfill status --json prints it.
type statusJSON struct {
	Name          string   `json:"name"`
	State         string   `json:"state"`
	RowsDone      int64    `json:"rows_done"`
	RowsRemaining *int64   `json:"rows_remaining"`
	Estimated     bool     `json:"rows_remaining_estimated"`
	RatePerS      float64  `json:"rate_per_s"`
	ETAS          *float64 `json:"eta_s"`
	Progress      float64  `json:"progress"`
	Run           int64    `json:"run,omitempty"`
	Slices        int      `json:"slices,omitempty"`
	Trigger       string   `json:"trigger,omitempty"`
	File          string   `json:"file,omitempty"`     // the file the run was started with
	Checksum      string   `json:"checksum,omitempty"` // sha256 of that file, as stored
	From          *int64   `json:"from,omitempty"`     // the key range asked for
	To            *int64   `json:"to,omitempty"`
	Throttled     string   `json:"throttled,omitempty"`
	// Held back now, and the share of the run's working time it was, with seconds by reason.
	ThrottledNow     bool               `json:"throttled_now"`
	ThrottledShare   float64            `json:"throttled_share"`
	ThrottledSeconds map[string]float64 `json:"throttled_seconds"`
	Error            string             `json:"error,omitempty"`
	StalledSince     *string            `json:"stalled_since,omitempty"`
	Stalled          string             `json:"stalled,omitempty"` // why nobody works it
	CreatedAt        *string            `json:"created_at,omitempty"`
	UpdatedAt        *string            `json:"updated_at,omitempty"`
	FinishedAt       *string            `json:"finished_at,omitempty"`
}

// rfc3339ms is the JSON's time format: RFC 3339 with milliseconds.
const rfc3339ms = "2006-01-02T15:04:05.000Z07:00"

// MarshalJSON writes the status as steady backfill status --json prints it (docs/backfills.md,
// "Commands").
func (st RunStatus) MarshalJSON() ([]byte, error) {
	j := statusJSON{Name: st.Backfill, State: string(st.State), RowsDone: st.RowsDone, RowsRemaining: st.RowsRemaining,
		Estimated: st.Estimated, RatePerS: st.RatePerS, ETAS: st.ETASeconds, Progress: st.Progress, Run: st.Run, Slices: st.Slices,
		Trigger: string(st.Trigger), File: st.File, Checksum: st.Checksum, From: st.From, To: st.To, Throttled: st.Throttled, Error: st.Error, Stalled: st.Stalled,
		ThrottledNow: st.Throttled != "", ThrottledShare: st.ThrottledShare(), ThrottledSeconds: st.ThrottledSeconds}
	if j.ThrottledSeconds == nil {
		j.ThrottledSeconds = map[string]float64{}
	}
	j.StalledSince = timeText(st.StalledSince)
	if st.Run != 0 {
		j.CreatedAt = timeText(&st.CreatedAt)
	}
	j.UpdatedAt, j.FinishedAt = timeText(st.UpdatedAt), timeText(st.FinishedAt)
	return json.Marshal(j)
}

func timeText(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(rfc3339ms)
	return &s
}
