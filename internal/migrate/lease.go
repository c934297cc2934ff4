package migrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrLeaseLost is the cause of a run's cancellation when its lease was taken over.
var ErrLeaseLost = errors.New("migration lease lost: another runner took it over after it expired")

// The lease is a row, not a session advisory lock: through a transaction pooler a session lock
// is held by whichever server connection ran it, not by this client (docs/architecture.md,
// fact 4). The row expires unless refreshed, so a runner killed with -9 cannot wedge the next
// deploy.
const createLease = `CREATE TABLE IF NOT EXISTS steady_migration_lease (
	id          int PRIMARY KEY CHECK (id = 1),
	holder      text NOT NULL,
	acquired_at timestamptz NOT NULL DEFAULT now(),
	expires_at  timestamptz NOT NULL
)`

const acquireLease = `INSERT INTO steady_migration_lease AS l (id, holder, expires_at)
VALUES (1, $1, now() + make_interval(secs => $2))
ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, acquired_at = now(), expires_at = EXCLUDED.expires_at
WHERE l.expires_at < now() OR l.holder = EXCLUDED.holder
RETURNING holder`

const currentLease = `SELECT holder, GREATEST(extract(epoch FROM expires_at - now()), 0)::float8 FROM steady_migration_lease WHERE id = 1`

const refreshLease = `UPDATE steady_migration_lease SET expires_at = now() + make_interval(secs => $2) WHERE id = 1 AND holder = $1`

const releaseLease = `DELETE FROM steady_migration_lease WHERE id = 1 AND holder = $1`

type lease struct {
	db     querier
	holder string
	ttl    time.Duration
	log    *slog.Logger
	stop   chan struct{}
	done   chan struct{}
}

func newHolder() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d:%08x", host, os.Getpid(), rand.Uint32())
}

// acquireLeaseWait takes the lease, waiting while another live runner holds it. The returned
// context is cancelled with ErrLeaseLost if a refresh finds the lease gone.
func acquireLeaseWait(ctx context.Context, db querier, ttl time.Duration, log *slog.Logger) (*lease, context.Context, context.CancelCauseFunc, error) {
	if err := createIgnoringRace(ctx, db, createLease); err != nil {
		return nil, nil, nil, fmt.Errorf("create lease table: %w", err)
	}
	l := &lease{db: db, holder: newHolder(), ttl: ttl, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	for attempt := 0; ; attempt++ {
		var got string
		err := db.QueryRow(ctx, acquireLease, l.holder, ttl.Seconds()).Scan(&got)
		if err == nil {
			break
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, nil, nil, fmt.Errorf("acquire migration lease: %w", err)
		}
		var other string
		var left float64
		if err := db.QueryRow(ctx, currentLease).Scan(&other, &left); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, nil, nil, fmt.Errorf("read migration lease: %w", err)
		}
		if attempt == 0 {
			log.Info("waiting for the migration lease", slog.String("holder", other), slog.Float64("expires_in_s", left))
		}
		// Poll well inside the TTL, with jitter so replicas do not move in step.
		wait := min(time.Duration(float64(ttl)/10*(0.5+rand.Float64())), time.Duration(left*float64(time.Second))+50*time.Millisecond)
		select {
		case <-ctx.Done():
			return nil, nil, nil, fmt.Errorf("wait for migration lease held by %s: %w", other, ctx.Err())
		case <-time.After(max(wait, 20*time.Millisecond)):
		}
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	go l.keepAlive(runCtx, cancel)
	return l, runCtx, cancel, nil
}

func (l *lease) keepAlive(ctx context.Context, cancel context.CancelCauseFunc) {
	defer close(l.done)
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			tag, err := l.db.Exec(ctx, refreshLease, l.holder, l.ttl.Seconds())
			if err == nil && tag.RowsAffected() == 0 {
				cancel(ErrLeaseLost)
				return
			}
			if err != nil {
				l.log.Warn("refresh migration lease", slog.Any("error", err))
			}
		}
	}
}

func (l *lease) release(ctx context.Context) {
	close(l.stop)
	<-l.done
	if _, err := l.db.Exec(context.WithoutCancel(ctx), releaseLease, l.holder); err != nil {
		l.log.Warn("release migration lease (it will expire)", slog.Any("error", err))
	}
}

// createIgnoringRace runs CREATE … IF NOT EXISTS, which two sessions racing can still fail with
// a unique violation on pg_type (as rivermigrate does: docs/architecture.md, fact 5), or with
// 42710 'type "steady_migration_lease" already exists' (seen with three processes through
// PgBouncer): the loser retries once.
func createIgnoringRace(ctx context.Context, db execer, sql string) error {
	_, err := db.Exec(ctx, sql)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "42P07" || pgErr.Code == "42710") {
		_, err = db.Exec(ctx, sql)
	}
	return err
}
