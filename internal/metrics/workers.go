package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	workersAliveDesc   = desc("steady_workers_alive", "Workers whose heartbeat is within their dead-after bound (steady_workers, the server's clock).")
	workersQueryOKDesc = desc("steady_workers_query_success", "1 when reading the workers' heartbeats succeeded.")
)

// collectWorkers counts the live workers.
func (c *Collector) collectWorkers(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.QueryTimeout)
	defer cancel()
	n, err := c.cfg.Workers(ctx)
	c.logOnce("workers query", err)
	gauge(ch, workersQueryOKDesc, bool01(err == nil))
	if err == nil {
		gauge(ch, workersAliveDesc, float64(n))
	}
}
