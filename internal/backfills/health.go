package backfills

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Health signals, read between batches with one query that works through a transaction pooler
// (catalog views, no session state):
//
//   - sessions waiting for a lock on the table (pg_locks, not granted): a migration's ALTER
//     queued behind the backfill's row locks makes every later query on the table queue behind
//     it, so the backfill steps aside. pg_locks shows the whole server and a relation's OID is
//     only unique within its database (copies of a template or restores of one dump share
//     them), so only this database's locks count;
//   - the oldest open transaction of another client in this database (pg_stat_activity): while
//     it is open, vacuum cannot remove the row versions each batch leaves behind;
//   - replay lag of streaming replicas (pg_stat_replication; no rows without replicas). A WAL
//     archiver (pg_receivewal, barman, pg_basebackup while it copies) streams too but never
//     replays: its replay_lsn is NULL and its replay_lag grows for as long as it runs, so only
//     the senders that report a replay position count.
type health struct {
	Waiters     int64
	XactAge     time.Duration
	XactDetail  string // who holds the oldest transaction
	ReplicaLag  time.Duration
	CheckedAt   time.Time
	checkFailed error
}

const healthQuery = `
SELECT
  (SELECT count(*) FROM pg_locks
    WHERE locktype = 'relation' AND NOT granted AND relation = to_regclass($1)
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())),
  coalesce(x.age, 0)::float8,
  coalesce(x.detail, ''),
  (SELECT coalesce(max(extract(epoch FROM replay_lag)), 0) FROM pg_stat_replication WHERE replay_lsn IS NOT NULL)::float8
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
  SELECT extract(epoch FROM now() - a.xact_start) AS age,
         format('pid %s, application_name %L, state %s', a.pid, a.application_name, a.state) AS detail
  FROM pg_stat_activity a
  WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
    AND a.backend_type = 'client backend' AND a.xact_start IS NOT NULL AND a.state <> 'idle'
  ORDER BY a.xact_start
  LIMIT 1
) AS x ON true`

func readHealth(ctx context.Context, pool *pgxpool.Pool, table string) health {
	var h health
	var age, lag float64
	h.checkFailed = pool.QueryRow(ctx, healthQuery, table).Scan(&h.Waiters, &age, &h.XactDetail, &lag)
	h.XactAge = time.Duration(age * float64(time.Second))
	h.ReplicaLag = time.Duration(lag * float64(time.Second))
	h.CheckedAt = time.Now()
	return h
}

// Reasons a slice is held back: the label of steady_backfill_throttled_seconds_total and the
// keys of the time held back in the bookkeeping and in steady backfill status --json.
const (
	ReasonLockWaiters = "lock_waiters" // sessions waiting for a lock on the table
	ReasonXactAge     = "xact_age"     // another transaction open longer than MaxXactAge
	ReasonReplicaLag  = "replica_lag"  // a replica's replay lag over MaxReplicaLag
	ReasonApplication = "application"  // the pace controller yielding to the application (pace.go)
)

// Reasons lists every reason, in a stable order.
var Reasons = []string{ReasonLockWaiters, ReasonXactAge, ReasonReplicaLag, ReasonApplication}

// holdBack says why batches should wait (a Reason and a sentence), or "" when they may go on.
func (h health) holdBack(cfg Config, table string) (reason, why string) {
	switch {
	case h.checkFailed != nil:
		return "", "" // a failed check is not a reason to stop; the batch itself will tell
	case h.Waiters > int64(cfg.MaxLockWaiters):
		return ReasonLockWaiters, fmt.Sprintf("%d session(s) waiting for a lock on %s", h.Waiters, table)
	case cfg.MaxXactAge > 0 && h.XactAge > cfg.MaxXactAge:
		return ReasonXactAge, fmt.Sprintf("a transaction has been open for %s (%s), longer than %s: vacuum cannot keep up",
			h.XactAge.Round(time.Second), h.XactDetail, cfg.MaxXactAge)
	case cfg.MaxReplicaLag > 0 && h.ReplicaLag > cfg.MaxReplicaLag:
		return ReasonReplicaLag, fmt.Sprintf("replica replay lag %s exceeds %s", h.ReplicaLag.Round(time.Millisecond), cfg.MaxReplicaLag)
	}
	return "", ""
}
