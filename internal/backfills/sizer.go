package backfills

import "time"

// sizer picks each batch's size (keys spanned) so that batches take about the target time.
//
// GitLab's batched background migration optimizer is the anchor: it compares smoothed batch
// time to the interval between jobs every few jobs and moves the size by at most ×1.2, so going
// from 1 000 to 50 000 keys takes about 20 adjustments spread over many minutes. Here the
// feedback is per batch (a few per second at the 200 ms target), from a smoothed cost per key:
//
//   - size ← target / cost-per-key, which converges to the target even with a fixed per-batch
//     overhead (round trips, commit): the fixed point of s·T/(c+k·s) is c+k·s = T;
//   - growth is capped at ×2 per batch (from 1 000 to 50 000 keys in six batches), shrinking is
//     not capped (a slow batch is corrected at once), and a ±10 % dead band keeps noise from
//     moving the size every batch;
//   - a batch that hit statement_timeout or lock_timeout halves the size (timedOut).
//
// The size is kept within [min, max] and persisted with each checkpoint, so a resumed slice
// starts where the previous attempt had converged.
type sizer struct {
	target   time.Duration
	min, max int64
	size     int64
	perKey   float64 // smoothed seconds per key; 0 before the first observation
}

func newSizer(target time.Duration, lo, hi, start int64) *sizer {
	return &sizer{target: target, min: lo, max: hi, size: clamp(start, lo, hi)}
}

// next is the size of the next batch.
func (s *sizer) next() int64 { return s.size }

// observe feeds the duration of a batch of size keys.
func (s *sizer) observe(size int64, took time.Duration) {
	if size <= 0 || took <= 0 {
		return
	}
	per := took.Seconds() / float64(size)
	if s.perKey == 0 {
		s.perKey = per
	} else {
		s.perKey = 0.5*per + 0.5*s.perKey
	}
	ratio := s.target.Seconds() / s.perKey / float64(s.size)
	if ratio > 0.9 && ratio < 1.1 {
		return
	}
	s.size = clamp(int64(float64(s.size)*min(ratio, 2)), s.min, s.max)
}

// timedOut halves the size after a batch that timed out; its cost is unknown but high.
func (s *sizer) timedOut() {
	s.size = clamp(s.size/2, s.min, s.max)
	s.perKey = 0
}

func clamp(v, lo, hi int64) int64 { return min(max(v, lo), hi) }
