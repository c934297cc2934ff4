package metrics

import (
	"cmp"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/steadydb/steady/internal/dbconn"
	"github.com/steadydb/steady/internal/migrate"
)

// MigrationStep is the worker's migration step (wiring.Migrated satisfies it).
type MigrationStep interface {
	Outcome() (res *migrate.Result, err error, done bool)
}

// Config configures a Collector.
type Config struct {
	Pools     *dbconn.Pools    // the decision and the pools; the river_job query runs on Pools.Pooler
	Migration MigrationStep    // nil: no migration series
	Backfills BackfillProgress // nil: no backfill series
	Throttle  BackfillThrottle // nil: no steady_backfill_throttled_seconds_total

	QueryTimeout time.Duration // bound of each scrape-time query; default 3s
	Logger       *slog.Logger
}

// Collector is steady's prometheus.Collector.
type Collector struct {
	cfg Config

	mu      sync.Mutex // guards lastErr
	lastErr map[string]string
}

// NewCollector validates cfg.
func NewCollector(cfg Config) (*Collector, error) {
	if cfg.Pools == nil || cfg.Pools.Pooler == nil {
		return nil, errors.New("metrics: Config.Pools with a POOLER pool is required")
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
	jobsDesc              = desc("steady_river_jobs", "River jobs by kind and state, read from river_job at scrape time.", "kind", "state")
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
	p := c.cfg.Pools
	role := p.Decision.MigrationRole
	if role == "" {
		role = dbconn.Pooler // a process that does not migrate has no decision: everything is POOLER
	}
	for _, r := range []dbconn.Role{dbconn.Direct, dbconn.Pooler} {
		gauge(ch, migrationRoleDesc, bool01(r == role), string(r))
	}
	gauge(ch, probeSecondsDesc, p.Decision.ProbeTime.Seconds())
	pools := []*dbconn.Pool{p.Pooler}
	if p.Migration != nil && p.Migration != p.Pooler {
		pools = append(pools, p.Migration)
	}
	for _, pool := range pools {
		s := pool.Stat()
		r := string(pool.Role)
		gauge(ch, poolConnsDesc, float64(s.AcquiredConns()), r, "acquired")
		gauge(ch, poolConnsDesc, float64(s.IdleConns()), r, "idle")
		gauge(ch, poolConnsDesc, float64(s.TotalConns()), r, "total")
		gauge(ch, poolConnsDesc, float64(s.MaxConns()), r, "max")
	}
}

var migrationStates = []migrate.State{migrate.StateApplied, migrate.StateReconciled, migrate.StatePending,
	migrate.StatePartial, migrate.StateDrift, migrate.StateChecksumChanged, migrate.StateFailed}

func (c *Collector) collectMigrations(ch chan<- prometheus.Metric) {
	res, err, done := c.cfg.Migration.Outcome()
	status := "running"
	if done {
		status = "succeeded"
		if err != nil {
			status = "failed"
		}
	}
	for _, s := range []string{"running", "succeeded", "failed"} {
		gauge(ch, stepStatusDesc, bool01(s == status), s)
	}
	if !done || res == nil {
		return
	}
	gauge(ch, stepSecondsDesc, res.Duration.Seconds())
	for outcome, n := range map[string]int{"applied": res.Applied, "reconciled": res.Reconciled,
		"partial": res.Partial, "failed": res.Failed, "drift": res.Drift} {
		gauge(ch, stepMigrationsDesc, float64(n), outcome)
	}
	counts := map[migrate.State]int{}
	if res.Plan != nil {
		for _, mp := range res.Plan.Migrations {
			counts[mp.State]++
		}
	}
	for _, s := range migrationStates {
		gauge(ch, migrationsDesc, float64(counts[s]), string(s))
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
