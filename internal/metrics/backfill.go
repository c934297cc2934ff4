package metrics

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Backfill is one backfill's progress.
type Backfill struct {
	Name          string
	RowsDone      int64
	RowsRemaining int64   // an estimate is fine
	RowsPerSecond float64 // recent rate; 0 when idle
}

func (c *Collector) collectThrottle(ch chan<- prometheus.Metric) {
	for reason, s := range c.cfg.Throttle() {
		ch <- prometheus.MustNewConstMetric(backfillThrottledDesc, prometheus.CounterValue, s, reason)
	}
}

func (c *Collector) collectBackfills(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.QueryTimeout)
	defer cancel()
	bs, err := c.cfg.Backfills(ctx)
	if err != nil {
		err = fmt.Errorf("read backfill progress: %w", err)
	}
	c.logOnce("backfill progress", err)
	gauge(ch, backfillQueryOKDesc, bool01(err == nil))
	if err != nil {
		return
	}
	for _, b := range bs {
		gauge(ch, backfillDoneDesc, float64(b.RowsDone), b.Name)
		gauge(ch, backfillLeftDesc, float64(b.RowsRemaining), b.Name)
		gauge(ch, backfillRateDesc, b.RowsPerSecond, b.Name)
	}
}
