package liveness

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/steadydb/steady/internal/bookkeeping"
)

// Querier runs statements: a *pgxpool.Pool, a *pgx.Conn or a transaction.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Worker is one registered worker as the database sees it. Durations are measured on the
// server's clock.
type Worker struct {
	ID             string        `json:"id"` // its River client id
	Host           string        `json:"host"`
	PID            int           `json:"pid"`
	StartedAt      time.Time     `json:"started_at"`
	HeartbeatAt    time.Time     `json:"heartbeat_at"`
	Up             time.Duration `json:"-"` // since StartedAt
	SinceHeartbeat time.Duration `json:"-"`
	Interval       time.Duration `json:"-"` // how often it heartbeats
	DeadAfter      time.Duration `json:"-"` // its bound: no heartbeat for this long is death
	Alive          bool          `json:"alive"`
	DeadAt         *time.Time    `json:"dead_at,omitempty"`     // when another worker declared it dead
	DeadReason     string        `json:"dead_reason,omitempty"` // what that worker saw
}

// Census is every registered worker, read at one instant of the server's clock.
type Census struct {
	Now           time.Time  // the server's clock when read
	Alive         []Worker   // oldest first
	Dead          []Worker   // silent past their bound or declared dead within the last day, latest heartbeat first
	LastHeartbeat *time.Time // the latest heartbeat of any worker, alive or dead; nil when none ever ran
}

// Read returns every registered worker. Without steady_workers (no worker has ever started on
// this database) the census is empty.
func Read(ctx context.Context, q Querier, schema bookkeeping.Schema) (Census, error) {
	c, err := read(ctx, q, schema)
	if missingTable(err) {
		c, err = Census{}, nil
	}
	if err == nil && c.Now.IsZero() {
		err = q.QueryRow(ctx, `SELECT now()`).Scan(&c.Now)
	}
	if err != nil {
		return Census{}, fmt.Errorf("read workers: %w", err)
	}
	return c, nil
}

func read(ctx context.Context, q Querier, schema bookkeeping.Schema) (Census, error) {
	var c Census
	rows, err := q.Query(ctx, schema.SQL(readQuery))
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var w Worker
		var up, since, every, after float64
		var reason *string
		if err := rows.Scan(&c.Now, &w.ID, &w.Host, &w.PID, &w.StartedAt, &w.HeartbeatAt, &up, &since, &every, &after,
			&w.DeadAt, &reason, &w.Alive); err != nil {
			return c, err
		}
		w.Up, w.SinceHeartbeat, w.Interval, w.DeadAfter = seconds(up), seconds(since), seconds(every), seconds(after)
		w.DeadReason = deref(reason)
		if c.LastHeartbeat == nil || w.HeartbeatAt.After(*c.LastHeartbeat) {
			at := w.HeartbeatAt
			c.LastHeartbeat = &at
		}
		if w.Alive {
			c.Alive = append(c.Alive, w)
		} else {
			c.Dead = append(c.Dead, w)
		}
	}
	return c, rows.Err()
}

// Alive lists the live workers, oldest first, by the server's clock.
func Alive(ctx context.Context, q Querier, schema bookkeeping.Schema) ([]Worker, error) {
	c, err := Read(ctx, q, schema)
	return c.Alive, err
}

// aliveSQL is the definition of a live row, shared by every statement.
const aliveSQL = `(w.dead_at IS NULL AND w.heartbeat_at > now() - w.dead_after)`

const readQuery = `
SELECT now(), w.id, w.host, w.pid, w.started_at, w.heartbeat_at,
       extract(epoch FROM now() - w.started_at)::float8,
       extract(epoch FROM now() - w.heartbeat_at)::float8,
       extract(epoch FROM w.heartbeat_every)::float8,
       extract(epoch FROM w.dead_after)::float8,
       w.dead_at, w.dead_reason, ` + aliveSQL + `
FROM steady_workers w
ORDER BY ` + aliveSQL + ` DESC,
         CASE WHEN ` + aliveSQL + ` THEN w.started_at END,
         w.heartbeat_at DESC`

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// missingTable reports an error caused by steady_workers (or River's tables) not existing yet:
// no worker has started on this database.
func missingTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == pgerrcode.UndefinedTable || pgErr.Code == pgerrcode.InvalidSchemaName)
}
