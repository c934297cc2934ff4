package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river/rivertype"
)

func (c *Collector) collectJobs(ch chan<- prometheus.Metric) {
	// The context is a backstop; the statement's own timeout stops it on the server first and
	// keeps the connection usable.
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.QueryTimeout+time.Second)
	defer cancel()
	start := time.Now()
	counts, err := c.cfg.Jobs(ctx, c.cfg.QueryTimeout)
	c.logOnce("river_job query", err)
	gauge(ch, jobsQuerySecDesc, time.Since(start).Seconds())
	gauge(ch, jobsQueryOKDesc, bool01(err == nil))
	if err != nil {
		return
	}
	builds := map[string]int64{}
	for _, jc := range counts {
		gauge(ch, jobsDesc, float64(jc.N), jc.Kind, jc.State)
		if jc.Kind == c.cfg.IndexBuildKind {
			builds[jc.State] += jc.N
		}
	}
	// Every state, zero included, so rate() and alerts see a series from the first scrape.
	for _, s := range rivertype.JobStates() {
		gauge(ch, indexBuildsDesc, float64(builds[string(s)]), string(s))
	}
}
