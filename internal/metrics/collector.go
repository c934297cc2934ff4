package metrics

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Config configures a Collector. Each source is a function the worker's wiring gives: this
// package turns what they return into series and knows nothing of how it is read.
type Config struct {
	Connections Connections       // the connection decision locked at startup
	Pools       func() []PoolStat // each role's pool now; nil: no pool series

	// Jobs counts River's jobs by kind and state, its statement bounded on the server by
	// timeout (required). IndexBuildKind is the kind of index builds, for steady_index_builds.
	Jobs           func(ctx context.Context, timeout time.Duration) ([]JobCount, error)
	IndexBuildKind string
	Workers        func(ctx context.Context) (alive int, err error) // required

	Migration func() MigrationStep                          // nil: no migration series
	Backfills func(ctx context.Context) ([]Backfill, error) // nil: no backfill series
	Throttle  func() map[string]float64                     // nil: no steady_backfill_throttled_seconds_total

	QueryTimeout time.Duration // bound of each scrape-time read; default 3s
	Logger       *slog.Logger
}

// Connections is the connection decision the process locked at startup.
type Connections struct {
	MigrationRole string        // "DIRECT" or "POOLER"; empty when the process does not migrate
	ProbeTime     time.Duration // how long the one DIRECT probe took; 0 when there was none
}

// PoolStat is one pool's connections.
type PoolStat struct {
	Role                       string
	Acquired, Idle, Total, Max int32
}

// JobCount is how many River jobs of a kind are in a state.
type JobCount struct {
	Kind, State string
	N           int64
}

// MigrationStep is the worker's migration step as a scrape sees it.
type MigrationStep struct {
	Done, Failed bool
	Duration     time.Duration  // how long the finished step took
	Outcomes     map[string]int // what the finished step did: applied, reconciled, partial, failed, drift
	States       map[string]int // migrations by state after it, every state named (zero included)
}

// Collector is steady's prometheus.Collector.
type Collector struct {
	cfg Config

	mu      sync.Mutex // guards lastErr
	lastErr map[string]string
}

// NewCollector validates cfg.
func NewCollector(cfg Config) (*Collector, error) {
	if cfg.Jobs == nil || cfg.Workers == nil {
		return nil, errors.New("metrics: Config.Jobs and Config.Workers are required")
	}
	cfg.QueryTimeout = cmp.Or(cfg.QueryTimeout, 3*time.Second)
	cfg.Logger = cmp.Or(cfg.Logger, slog.Default())
	return &Collector{cfg: cfg, lastErr: map[string]string{}}, nil
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

var (
	migrationRoleDesc     = desc("steady_db_migration_role", "1 for the migration role locked at startup (DIRECT or POOLER), 0 for the other.", "role")
	probeSecondsDesc      = desc("steady_db_direct_probe_seconds", "How long the one DIRECT probe took; 0 when there was none.")
	poolConnsDesc         = desc("steady_db_pool_connections", "Connections of each role's pool by state (acquired, idle, total, max).", "role", "state")
	stepStatusDesc        = desc("steady_migration_step_status", "1 for the migration step's status (running, succeeded, failed), 0 for the others.", "status")
	stepSecondsDesc       = desc("steady_migration_step_duration_seconds", "How long the finished migration step took.")
	stepMigrationsDesc    = desc("steady_migration_step_migrations", "What the migration step did, by outcome (applied, reconciled, partial, failed, drift).", "outcome")
	migrationsDesc        = desc("steady_migrations", "Migrations by state after the migration step.", "state")
	jobsDesc              = desc("steady_river_jobs", "River jobs by kind and state, counted in river_job at scrape time.", "kind", "state")
	indexBuildsDesc       = desc("steady_index_builds", "Index build jobs by River state (completed, discarded, retryable, …).", "outcome")
	jobsQueryOKDesc       = desc("steady_river_jobs_query_success", "1 when this scrape's river_job query succeeded.")
	jobsQuerySecDesc      = desc("steady_river_jobs_query_duration_seconds", "How long this scrape's river_job query took.")
	backfillDoneDesc      = desc("steady_backfill_rows_done", "Rows a backfill has processed.", "backfill")
	backfillLeftDesc      = desc("steady_backfill_rows_remaining", "Rows a backfill still has to process (an estimate).", "backfill")
	backfillRateDesc      = desc("steady_backfill_rows_per_second", "A backfill's recent rate in rows per second.", "backfill")
	backfillQueryOKDesc   = desc("steady_backfill_progress_query_success", "1 when reading backfill progress succeeded.")
	backfillThrottledDesc = desc("steady_backfill_throttled_seconds_total",
		"Time this process's backfill slices were held back, by reason (lock_waiters, xact_age, replica_lag, application).", "reason")
)

// Describe sends every series' description.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{migrationRoleDesc, probeSecondsDesc, poolConnsDesc, jobsDesc, indexBuildsDesc, jobsQueryOKDesc, jobsQuerySecDesc,
		workersAliveDesc, workersQueryOKDesc} {
		ch <- d
	}
	if c.cfg.Migration != nil {
		for _, d := range []*prometheus.Desc{stepStatusDesc, stepSecondsDesc, stepMigrationsDesc, migrationsDesc} {
			ch <- d
		}
	}
	if c.cfg.Backfills != nil {
		for _, d := range []*prometheus.Desc{backfillDoneDesc, backfillLeftDesc, backfillRateDesc, backfillQueryOKDesc} {
			ch <- d
		}
	}
	if c.cfg.Throttle != nil {
		ch <- backfillThrottledDesc
	}
}

// Collect reads everything at scrape time.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.collectDB(ch)
	if c.cfg.Migration != nil {
		c.collectMigrations(ch)
	}
	c.collectJobs(ch)
	c.collectWorkers(ch)
	if c.cfg.Backfills != nil {
		c.collectBackfills(ch)
	}
	if c.cfg.Throttle != nil {
		c.collectThrottle(ch)
	}
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (c *Collector) collectDB(ch chan<- prometheus.Metric) {
	// A process that does not migrate has no decision: everything is POOLER.
	role := cmp.Or(c.cfg.Connections.MigrationRole, "POOLER")
	for _, r := range []string{"DIRECT", "POOLER"} {
		gauge(ch, migrationRoleDesc, bool01(r == role), r)
	}
	gauge(ch, probeSecondsDesc, c.cfg.Connections.ProbeTime.Seconds())
	if c.cfg.Pools == nil {
		return
	}
	for _, s := range c.cfg.Pools() {
		gauge(ch, poolConnsDesc, float64(s.Acquired), s.Role, "acquired")
		gauge(ch, poolConnsDesc, float64(s.Idle), s.Role, "idle")
		gauge(ch, poolConnsDesc, float64(s.Total), s.Role, "total")
		gauge(ch, poolConnsDesc, float64(s.Max), s.Role, "max")
	}
}

func (c *Collector) collectMigrations(ch chan<- prometheus.Metric) {
	step := c.cfg.Migration()
	status := "running"
	switch {
	case step.Done && step.Failed:
		status = "failed"
	case step.Done:
		status = "succeeded"
	}
	for _, s := range []string{"running", "succeeded", "failed"} {
		gauge(ch, stepStatusDesc, bool01(s == status), s)
	}
	if !step.Done || step.Outcomes == nil {
		return
	}
	gauge(ch, stepSecondsDesc, step.Duration.Seconds())
	for outcome, n := range step.Outcomes {
		gauge(ch, stepMigrationsDesc, float64(n), outcome)
	}
	for state, n := range step.States {
		gauge(ch, migrationsDesc, float64(n), state)
	}
}

// logOnce logs a scrape error when it differs from the last one of the same source: a broken
// query would otherwise log at every scrape.
func (c *Collector) logOnce(source string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if c.lastErr[source] == msg {
		return
	}
	c.lastErr[source] = msg
	if err != nil {
		c.cfg.Logger.Warn("metrics: "+source+" failed", slog.Any("error", err))
	} else {
		c.cfg.Logger.Info("metrics: " + source + " works again")
	}
}
