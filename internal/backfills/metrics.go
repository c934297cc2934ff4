package backfills

import (
	"context"

	"github.com/steadydb/steady/internal/metrics"
)

// BackfillProgress reports the latest run of each backfill that ran to /metrics
// (metrics.BackfillProgress).
func (s *Store) BackfillProgress(ctx context.Context) ([]metrics.Backfill, error) {
	sts, err := s.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]metrics.Backfill, 0, len(sts))
	for _, st := range sts {
		if st.State == StateNever {
			continue
		}
		var remaining int64
		if st.RowsRemaining != nil {
			remaining = *st.RowsRemaining
		}
		out = append(out, metrics.Backfill{Name: st.Backfill, RowsDone: st.RowsDone, RowsRemaining: remaining, RowsPerSecond: st.RatePerS})
	}
	return out, nil
}
