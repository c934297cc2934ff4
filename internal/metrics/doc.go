// Package metrics exposes the worker's state to Prometheus on a registry of its own (never the
// global one), with the Go runtime and process collectors beside steady's.
//
// Everything steady reports is read at scrape time, so a scrape shows the database as it is,
// not as this process last saw it:
//
//	steady_db_migration_role{role}                 1 for the locked migration role (DIRECT or POOLER), 0 for the other
//	steady_db_direct_probe_seconds                 how long the one DIRECT probe took (0: no probe, DATABASE_URL_DIRECT unset)
//	steady_db_pool_connections{role,state}         pgxpool connections: acquired, idle, total, max
//	steady_migration_step_status{status}           1 for the step's status: running, succeeded or failed
//	steady_migration_step_duration_seconds         how long the finished step took
//	steady_migration_step_migrations{outcome}      what the step did: applied, reconciled, partial, failed, drift
//	steady_migrations{state}                       migrations by state after the step: applied, reconciled, pending, partial, drift, checksum_changed, failed
//	steady_river_jobs{kind,state}                  River jobs by kind and state (one query on river_job through the POOLER)
//	steady_index_builds{outcome}                   index build jobs by River state: completed, discarded, retryable, running, …
//	steady_river_jobs_query_success                1 when the river_job query of this scrape succeeded
//	steady_river_jobs_query_duration_seconds       how long it took
//	steady_backfill_rows_done{backfill}            rows a backfill has processed
//	steady_backfill_rows_remaining{backfill}       rows it still has to process (an estimate)
//	steady_backfill_rows_per_second{backfill}      its recent rate
//	steady_backfill_progress_query_success         1 when reading backfill progress succeeded
//	steady_backfill_throttled_seconds_total{reason} time this process's slices were held back: lock_waiters, xact_age, replica_lag, application
//
// Every source is a function the worker's wiring gives in Config (River's job counts from
// internal/riverdb, the live workers from internal/liveness, the migration step, the backfills'
// progress), so this package turns values into series and imports no engine. A read is bounded
// by QueryTimeout; when one fails the scrape still succeeds: its *_success series is 0 and the
// error is logged once until it changes.
//
// steady_backfill_throttled_seconds_total is the one series kept in the process (a counter
// since it started, from Config.Throttle): time held back is not a state of the database.
package metrics
