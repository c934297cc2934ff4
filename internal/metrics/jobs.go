package metrics

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river/rivertype"

	"github.com/steadydb/steady/internal/indexes"
)

// One grouped query per scrape. River deletes finalized jobs after a day by default, so the
// table a scrape reads stays small.
const jobsByKindAndState = `SELECT kind, state::text, count(*) FROM river_job GROUP BY kind, state`

type jobCount struct {
	kind, state string
	n           int64
}

func (c *Collector) collectJobs(ch chan<- prometheus.Metric) {
	start := time.Now()
	counts, err := c.queryJobs()
	c.logOnce("river_job query", err)
	gauge(ch, jobsQuerySecDesc, time.Since(start).Seconds())
	gauge(ch, jobsQueryOKDesc, bool01(err == nil))
	if err != nil {
		return
	}
	builds := map[string]int64{}
	for _, jc := range counts {
		gauge(ch, jobsDesc, float64(jc.n), jc.kind, jc.state)
		if jc.kind == indexes.BuildKind { // the one name of the kind: a rename cannot zero the series
			builds[jc.state] += jc.n
		}
	}
	// Every state, zero included, so rate() and alerts see a series from the first scrape.
	for _, s := range rivertype.JobStates() {
		gauge(ch, indexBuildsDesc, float64(builds[string(s)]), string(s))
	}
}

func (c *Collector) queryJobs() ([]jobCount, error) {
	// The context is a backstop; statement_timeout stops the query on the server first and
	// keeps the connection usable.
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.QueryTimeout+time.Second)
	defer cancel()
	var out []jobCount
	err := pgx.BeginTxFunc(ctx, c.cfg.Pools.Pooler.Pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", c.cfg.QueryTimeout.Milliseconds())); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, c.cfg.Pools.Schema.SQL(jobsByKindAndState))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (jobCount, error) {
			var jc jobCount
			return jc, r.Scan(&jc.kind, &jc.state, &jc.n)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("count river_job by kind and state: %w", err)
	}
	return out, nil
}
