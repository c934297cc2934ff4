package riverdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/steadydb/steady/internal/bookkeeping"
)

// DeadWorker is a worker a rescue declared dead.
type DeadWorker struct {
	ID          string    `json:"id"`
	Host        string    `json:"host"`
	PID         int       `json:"pid"`
	HeartbeatAt time.Time `json:"heartbeat_at"`
	Reason      string    `json:"dead_reason"`
}

// RescuedJob is a River job a rescue gave back.
type RescuedJob struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	State   string `json:"state"` // retryable; cancelled when a cancel was asked for; discarded when it had no attempt left
	Attempt int    `json:"attempt"`
	Worker  string `json:"worker"` // the dead client that attempted it
}

// RescueResult is what one rescue did.
type RescueResult struct {
	Dead   []DeadWorker
	Jobs   []RescuedJob
	Leader string // the dead client whose River leadership was released, if any
}

// rescueBatch bounds the jobs one statement gives back; the next heartbeat takes the rest.
const rescueBatch = 1000

// rescueQuery marks the workers silent past their bound dead (and, at a start, the previous
// incarnations whose process is gone: host_key and pids), deletes rows dead for a day, and
// gives back the River jobs running under a steady client that is not alive, as River's
// JobRescueMany does: retryable and scheduled now (the attempt is kept, so the retry counts
// against max_attempts), cancelled when a cancel was asked for, discarded with no attempt left;
// an error entry saying why; river:rescue_count incremented.
//
// River's leadership held by a steady client that is not alive is released too: a live client
// is elected at its next attempt (every 5s) instead of after the lease's 15s, and the leader's
// scheduler is what makes the retryable jobs available (at once, for a restarted worker, whose
// River starts after this).
//
// One statement, one snapshot: the rows marked dead here are still alive in the snapshot, hence
// "NOT IN dead". A heartbeat racing the marking waits for the row lock and then finds the row
// dead, or lands first and the marking skips the row. A job locked by its worker finishing it
// is skipped (SKIP LOCKED) and looked at again at the next heartbeat.
const rescueQuery = `
WITH dead AS (
  UPDATE steady_workers w
  SET dead_at = now(),
      dead_reason = CASE WHEN w.heartbeat_at <= now() - w.dead_after
        THEN format('no heartbeat for %ss (its bound: %ss); declared dead by %s',
                    round(extract(epoch FROM now() - w.heartbeat_at)::numeric, 1), extract(epoch FROM w.dead_after)::float8, $1::text)
        ELSE format('its process %s is gone from %s; declared dead by %s, started there', w.pid, w.host, $1::text) END
  WHERE w.dead_at IS NULL AND w.id <> $1::text
    AND (w.heartbeat_at <= now() - w.dead_after OR ($2::text <> '' AND w.host_key = $2::text AND w.pid = ANY ($3::int[])))
  RETURNING w.id, w.host, w.pid, w.heartbeat_at, w.dead_reason
),
purged AS (
  DELETE FROM steady_workers w WHERE w.dead_at < now() - interval '1 day' RETURNING 1
),
leader AS (
  DELETE FROM river_leader l
  WHERE l.leader_id LIKE $4::text || '%' AND l.leader_id <> $1::text
    AND NOT EXISTS (
      SELECT FROM steady_workers w
      WHERE w.id = l.leader_id AND w.dead_at IS NULL AND w.id NOT IN (SELECT id FROM dead))
  RETURNING l.leader_id
),
stuck AS (
  SELECT j.id, j.attempted_by[array_upper(j.attempted_by, 1)] AS by, (j.metadata ? 'cancel_attempted_at') AS cancel
  FROM river_job j
  WHERE j.state = 'running'
    AND j.attempted_by[array_upper(j.attempted_by, 1)] LIKE $4::text || '%'
    AND j.attempted_by[array_upper(j.attempted_by, 1)] <> $1::text
    AND NOT EXISTS (
      SELECT FROM steady_workers w
      WHERE w.id = j.attempted_by[array_upper(j.attempted_by, 1)] AND w.dead_at IS NULL
        AND w.id NOT IN (SELECT id FROM dead))
  ORDER BY j.id
  LIMIT $5
  FOR UPDATE OF j SKIP LOCKED
),
rescued AS (
  UPDATE river_job j
  SET state = (CASE WHEN s.cancel THEN 'cancelled' WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'retryable' END)::river_job_state,
      finalized_at = CASE WHEN s.cancel OR j.attempt >= j.max_attempts THEN now() END,
      scheduled_at = CASE WHEN s.cancel OR j.attempt >= j.max_attempts THEN j.scheduled_at ELSE now() END,
      errors = array_append(j.errors, jsonb_build_object(
        'at', now(), 'attempt', greatest(j.attempt, 0), 'trace', '',
        'error', 'Stuck job rescued by steady: worker ' || s.by || CASE
          WHEN d.id IS NOT NULL THEN ' is dead: ' || d.dead_reason
          WHEN w0.dead_at IS NOT NULL THEN ' is dead: ' || coalesce(w0.dead_reason, 'declared dead at ' || w0.dead_at)
          ELSE ' is not registered (it stopped, or was declared dead over a day ago)' END)),
      metadata = j.metadata || jsonb_build_object('river:rescue_count', coalesce(
        CASE WHEN jsonb_typeof(j.metadata -> 'river:rescue_count') = 'number' THEN (j.metadata ->> 'river:rescue_count')::int END, 0) + 1)
  FROM stuck s
  LEFT JOIN dead d ON d.id = s.by
  LEFT JOIN steady_workers w0 ON w0.id = s.by
  WHERE j.id = s.id
  RETURNING j.id, j.kind, j.state::text AS state, j.attempt, s.by AS worker
)
SELECT (SELECT coalesce(json_agg(d), '[]') FROM dead d)::text, (SELECT coalesce(json_agg(r), '[]') FROM rescued r)::text,
       coalesce((SELECT leader_id FROM leader), '')`

// Querier runs a statement: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Rescue runs rescueQuery as the worker me, whose client ids (steady's workers' ones) start
// with idPrefix; gonePIDs, with this machine's host key, are its previous incarnations seen gone
// at a start. The statement also reads and writes steady_workers, in the same snapshot as
// River's tables, which is why it is one statement. Without river_job or steady_workers it
// does nothing.
func Rescue(ctx context.Context, q Querier, schema bookkeeping.Schema, idPrefix, me, hostKey string, gonePIDs []int32) (RescueResult, error) {
	var res RescueResult
	var dead, jobs string
	if gonePIDs == nil {
		gonePIDs = []int32{}
	}
	err := q.QueryRow(ctx, schema.SQL(rescueQuery), me, hostKey, gonePIDs, idPrefix, rescueBatch).Scan(&dead, &jobs, &res.Leader)
	if missingTable(err) {
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("rescue the jobs of dead workers: %w", err)
	}
	if err := json.Unmarshal([]byte(dead), &res.Dead); err != nil {
		return res, fmt.Errorf("rescue the jobs of dead workers: %w", err)
	}
	if err := json.Unmarshal([]byte(jobs), &res.Jobs); err != nil {
		return res, fmt.Errorf("rescue the jobs of dead workers: %w", err)
	}
	return res, nil
}

// missingTable reports an error caused by River's tables (or steady's) not existing yet.
func missingTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == pgerrcode.UndefinedTable || pgErr.Code == pgerrcode.InvalidSchemaName)
}
