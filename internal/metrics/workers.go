package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/steadydb/steady/internal/liveness"
)

var (
	workersAliveDesc   = desc("steady_workers_alive", "Workers whose heartbeat is within their dead-after bound (steady_workers, the server's clock).")
	workersQueryOKDesc = desc("steady_workers_query_success", "1 when reading the workers' heartbeats succeeded.")
)

// collectWorkers counts the live workers with one read of steady_workers.
func (c *Collector) collectWorkers(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.QueryTimeout)
	defer cancel()
	ws, err := liveness.Alive(ctx, c.cfg.Pools.Pooler.Pool, c.cfg.Pools.Schema)
	c.logOnce("workers query", err)
	gauge(ch, workersQueryOKDesc, bool01(err == nil))
	if err == nil {
		gauge(ch, workersAliveDesc, float64(len(ws)))
	}
}
